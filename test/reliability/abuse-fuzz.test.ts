// Every registered route fuzzed against the real server process, over raw sockets, with Docker
// (a private daemon) and compose real: malformed JSON, wrong types, huge and odd strings, null
// bytes, traversal, shell metacharacters and compose/YAML injection in ids, queries, bodies, deploy
// config keys and values, and headers. Expected: 0 answers ≥ 500, 0 hangs, 0 crashes, every error
// in the wire shape with no stack trace, the canary file never created, APPFOLDER untouched, and
// hostile values that a deploy accepts reaching the container as literal text.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { testRunId } from '../helpers/docker.js';
import { freePort, startServer, type ServerProcess } from '../helpers/server-process.js';
import { FigureRecorder } from './figures.js';
import {
  bodyCases,
  commandInjections,
  dashboardCases,
  deployConfigCases,
  headerCases,
  pathCases,
  queryCases,
  wireCases,
  type FuzzCase,
  type FuzzContext,
} from './fuzz-cases.js';
import { adminSession, pollUntil, type ApiClient } from './http-client.js';
import { startPrivateDocker, type PrivateDocker } from './private-docker.js';
import { sendRaw, type RawAnswer } from './raw-http.js';
import { MATRIX_CONTEXT, sampleFor, type SampleContext } from './route-samples.js';
import { createRouteCollector, unclassifiedRoutes, type RegisteredRoute } from './route-table.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');
const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
const CANARY = `/tmp/hlr-canary-${testRunId}`;
const CONCURRENCY = 6;
const figures = new FigureRecorder('abuse-fuzz');

let daemon: PrivateDocker;
let server: ServerProcess;
let api: ApiClient;
let apiKey = '';
let appFolder: string;
let routes: RegisteredRoute[];
let webPort: number;
let sentinelBefore: string;

/** A fingerprint of every file (path, size, content) under a folder. */
function treeHash(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      hash.update(path.relative(root, full));
      if (entry.isDirectory()) walk(full);
      else hash.update(readFileSync(full));
    }
  };
  walk(root);
  return hash.digest('hex');
}

beforeAll(async () => {
  rmSync(CANARY, { force: true });
  daemon = await startPrivateDocker('fuzz');
  appFolder = mkdtempSync(path.join(os.tmpdir(), 'hlr-fuzz-appdata-'));
  // App data that no route may ever delete: configuration of the app the fuzzer deploys, and of another.
  mkdirSync(path.join(appFolder, 'hlrtest-web', 'config'), { recursive: true });
  writeFileSync(path.join(appFolder, 'hlrtest-web', 'config', 'settings.xml'), '<settings secret="keep-me"/>');
  writeFileSync(path.join(appFolder, 'hlrtest-web', 'library.db'), 'x'.repeat(4096));
  mkdirSync(path.join(appFolder, 'mediaserver-plex'));
  writeFileSync(path.join(appFolder, 'mediaserver-plex', 'Preferences.xml'), '<Preferences/>');
  sentinelBefore = treeHash(appFolder);

  server = await startServer({
    DOCKER_HOST: daemon.host,
    CATALOG_PATHS: FIXTURES,
    COMPOSE_PROJECT_PREFIX: `hlrz${testRunId}`,
    APPFOLDER: appFolder,
    DEPLOY_VERIFY_TIMEOUT: '20',
  });
  ({ api } = await adminSession(server.backendUrl, figures));
  apiKey = (await api.post('/auth/api-keys', { label: 'fuzzer' })).body.key as string;
  webPort = await freePort();

  const collector = createRouteCollector();
  const enumerator = await createTestApp({ config: { catalogPaths: [FIXTURES] }, buildOptions: { onRoute: collector.onRoute } });
  await enumerator.close();
  routes = collector.routes;
}, 120_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  await daemon?.destroy();
  rmSync(appFolder, { recursive: true, force: true });
  rmSync(CANARY, { force: true });
  figures.write();
}, 120_000);

const LEAKS = [
  /\n\s+at \S+ \(/,
  /node_modules/,
  new RegExp(`${PROJECT_ROOT}/(src|dist)/`),
  /SqliteError/,
  /TypeError|ReferenceError|Cannot read properties/,
];

/** What is wrong with one answer, or null. */
function judge(fuzzCase: FuzzCase, answer: RawAnswer): string | null {
  const where = `[${fuzzCase.group}] ${fuzzCase.route} ${fuzzCase.description}`;
  if (answer.timedOut) return `${where}: no answer within the deadline (a hang)`;
  if (answer.status === 0) return fuzzCase.mayGoUnanswered ? null : `${where}: the connection closed without an answer`;
  if (answer.status >= 500) return `${where}: ${answer.status} ${answer.body.slice(0, 300)}`;
  if (LEAKS.some((leak) => leak.test(answer.body))) return `${where}: the body leaks internals: ${answer.body.slice(0, 300)}`;
  if (fuzzCase.port === 'web' && /root:x:0:0|"name":\s*"homelabarr-ce"|SQLite format|\[core\]/.test(answer.body))
    return `${where}: served a file outside the dashboard`;
  const isJson = (answer.headers['content-type'] ?? '').includes('application/json');
  if (answer.status >= 400 && isJson) {
    try {
      const body = JSON.parse(answer.body) as Record<string, unknown>;
      const keys = Object.keys(body)
        .filter((key) => key !== 'fields')
        .sort();
      if (JSON.stringify(keys) !== JSON.stringify(['code', 'details', 'error', 'requestId']))
        return `${where}: error body not in the wire shape: ${answer.body.slice(0, 300)}`;
    } catch {
      return `${where}: error body is not JSON: ${answer.body.slice(0, 200)}`;
    }
  }
  return null;
}

async function runCases(cases: FuzzCase[]): Promise<{ problems: string[]; statuses: Map<number, number> }> {
  const problems: string[] = [];
  const statuses = new Map<number, number>();
  const apiPort = Number(new URL(server.backendUrl).port);
  const frontendPort = Number(new URL(server.frontendUrl).port);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const fuzzCase = cases[next] as FuzzCase;
      next += 1;
      const answer = await sendRaw(fuzzCase.port === 'api' ? apiPort : frontendPort, fuzzCase.request);
      figures.badInput();
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const problem = judge(fuzzCase, answer);
      if (problem) {
        problems.push(problem);
        figures.failure();
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { problems, statuses };
}

function fuzzContext(): FuzzContext {
  const context: SampleContext = {
    ...MATRIX_CONTEXT,
    deployBody: { appId: 'hlrtest-web', config: { WEB_PORT: webPort, HLR_TEST_RUN: testRunId }, mode: { type: 'standard' } },
    containerId: 'fuzz-missing',
    username: () => `fuzz-${Math.random().toString(36).slice(2, 10)}`,
  };
  return { canary: CANARY, auth: { 'x-api-key': apiKey }, sampleOf: (route) => sampleFor(route.key, context) };
}

function summarize(statuses: Map<number, number>): string {
  return [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
}

function serverLogFailures(): string[] {
  return server
    .output()
    .split('\n')
    .filter((line) => /"level":(50|60)/.test(line));
}

describe('abuse of every route', () => {
  it('knows every route it fuzzes', () => {
    expect(unclassifiedRoutes(routes)).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(50);
  });

  it('answers hostile path ids, query strings and headers on every route without a 5xx, a hang or a leak', async () => {
    const context = fuzzContext();
    const cases = routes.flatMap((route) => [...pathCases(route, context), ...queryCases(route, context), ...headerCases(route, context)]);
    const { problems, statuses } = await runCases(cases);
    expect(problems).toEqual([]);
    expect(server.process.exitCode).toBeNull();
    figures.note('ids/queries/headers', `${cases.length} (${summarize(statuses)})`);
  }, 240_000);

  it('answers malformed, oversized and mistyped bodies on every route without a 5xx, a hang or a leak', async () => {
    const context = fuzzContext();
    const cases = routes.flatMap((route) => bodyCases(route, context));
    const { problems, statuses } = await runCases(cases);
    expect(problems).toEqual([]);
    expect(server.process.exitCode).toBeNull();
    figures.note('bodies', `${cases.length} (${summarize(statuses)})`);
  }, 240_000);

  it('refuses reserved and malformed deploy config keys, and survives hostile values in every variable', async () => {
    const context = fuzzContext();
    const deployBody = { appId: 'hlrtest-web', config: { WEB_PORT: webPort, HLR_TEST_RUN: testRunId }, mode: { type: 'standard' } };
    const cases = deployConfigCases(
      deployBody,
      ['WEB_SECRET', 'HLR_TEST_RUN', 'WEB_PORT', 'TZ', 'ID', 'UMASK', 'DOMAIN', 'APPFOLDER', 'MEDIAFOLDER', 'RESTARTAPP'],
      context,
    );
    const { problems, statuses } = await runCases(cases);
    expect(problems).toEqual([]);
    // Reserved names are never template variables: each key case is a 400 naming the key.
    const keyCase = cases.find((fuzzCase) => fuzzCase.description.startsWith('config key "DOCKER_HOST"')) as FuzzCase;
    const refused = await sendRaw(Number(new URL(server.backendUrl).port), keyCase.request);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: [{ path: 'config.DOCKER_HOST', message: 'is not a variable of hlrtest-web' }],
    });
    figures.note('deploy config', `${cases.length} (${summarize(statuses)})`);
    await pollUntil(
      'the deploys the fuzzer started have ended',
      async () => (((await api.get('/deployments/active')).body.deployments as unknown[]).length === 0 ? true : undefined),
      120_000,
      500,
    );
  }, 300_000);

  it('answers requests that break HTTP itself, and never serves a file outside the dashboard', async () => {
    const context = fuzzContext();
    const cases = [...wireCases(context), ...dashboardCases(context)];
    const { problems, statuses } = await runCases(cases);
    expect(problems).toEqual([]);
    // A body declared over 1 MiB is refused from its Content-Length, before any of it is read.
    const oversized = await sendRaw(Number(new URL(server.backendUrl).port), {
      method: 'POST',
      target: '/deploy',
      headers: { ...context.auth, 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) },
      body: '{}',
    });
    figures.badInput();
    expect(oversized.status).toBe(413);
    expect(JSON.parse(oversized.body)).toEqual({
      error: 'Request body too large',
      details: 'Bodies are limited to 1 MiB',
      code: 'PAYLOAD_TOO_LARGE',
      requestId: expect.any(String),
    });
    figures.note('wire and dashboard', `${cases.length} (${summarize(statuses)})`);
  }, 120_000);

  it('writes hostile values a deploy accepts into the container as literal text: no command runs, nothing is interpolated', async () => {
    const secret = `${commandInjections(CANARY).join(' ')} \${DOCKER_HOST} $$HOME '"\\ {{ .Env.PATH }} # not a comment`;
    const label = `$(touch ${CANARY}) \${PATH:-x} *anchor`;
    const answer = await api.call('POST', '/deploy', {
      token: apiKey,
      body: { appId: 'hlrtest-web', config: { WEB_PORT: webPort, HLR_TEST_RUN: label, WEB_SECRET: secret }, mode: { type: 'standard' } },
    });
    expect(answer.status).toBe(200);
    const deployment = await pollUntil(
      'the deploy ends',
      async () => {
        const status = (await api.call('GET', `/deployments/${answer.body.deploymentId as string}/status`, { token: apiKey })).body
          .deployment as Record<string, unknown>;
        return ['completed', 'failed'].includes(status.status as string) ? status : undefined;
      },
      60_000,
      300,
    );
    expect(deployment).toMatchObject({ status: 'completed', error: null });
    const [container] = await daemon.client.listContainers({
      filters: { label: [`com.docker.compose.project=hlrz${testRunId}-hlrtest-web`] },
    });
    const inspected = await daemon.client.getContainer(container?.Id as string).inspect();
    expect(inspected.Config.Env).toContain(`WEB_SECRET=${secret}`);
    expect(inspected.Config.Labels['homelabarr.test']).toBe(label);
    expect(existsSync(CANARY)).toBe(false);

    // Removing the app, even with its volumes, leaves its data under APPFOLDER alone.
    const removed = await api.call('DELETE', '/applications/hlrtest-web?removeVolumes=true', { token: apiKey });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({
      success: true,
      removedVolumes: true,
      message: 'hlrtest-web removed with its volumes; its data under APPFOLDER was kept',
    });
  }, 120_000);

  it('ends with the canary absent, APPFOLDER untouched, no unexpected failure in the log, and the same process serving', async () => {
    expect(existsSync(CANARY)).toBe(false);
    expect(statSync(appFolder).isDirectory()).toBe(true);
    expect(treeHash(appFolder)).toBe(sentinelBefore);
    expect(serverLogFailures()).toEqual([]);
    expect(server.process.exitCode).toBeNull();
    expect((await api.call('GET', '/health', { token: null })).status).toBe(200);
    const fdCount = readdirSync(`/proc/${server.process.pid as number}/fd`).length;
    figures.note('server fds after the fuzz', fdCount);
    expect(fdCount).toBeLessThan(200);
  });
});
