// Quality gate 5: every bundled app deploys in standard mode with each service's image swapped for
// the busybox stub, its published web port answers HTTP from the host, then the app is removed.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError, runCommand } from '../../src/server/infra/run-command.js';
import { loadCatalog } from '../../src/server/modules/catalog/catalog-loader.js';
import type { CatalogEntry } from '../../src/server/modules/catalog/catalog-template.js';
import { removeTestResources, requireDocker, STUB_IMAGE, testLabels, testRunId } from '../helpers/docker.js';
import { freePort } from '../helpers/server-process.js';
import { BUNDLED_ROOT, GLOBALS } from './catalog-fixtures.js';
import { mapWithConcurrency, renderForTest, writeStack } from './catalog-deploy-helpers.js';
import { toSmokeStack } from './catalog-smoke.js';

const CONCURRENCY = 4;
const composeEnv = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', DOCKER_HOST: 'unix:///var/run/docker.sock' };
const projectPrefix = `hlrt${testRunId}`;

async function compose(folder: string, project: string, args: string[]): Promise<void> {
  await runCommand(
    'docker',
    ['compose', '-p', project, '-f', path.join(folder, 'compose.yaml'), '--env-file', path.join(folder, '.env'), ...args],
    {
      cwd: folder,
      env: composeEnv,
      timeoutMs: 120_000,
    },
  );
}

/** The stub's index page over HTTP, retried while the container starts. */
async function fetchStubPage(port: number, deadlineMs: number): Promise<string> {
  let lastError: unknown;
  while (Date.now() < deadlineMs) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
      return `${response.status} ${(await response.text()).trim()}`;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`port ${port} did not answer HTTP: ${String(lastError)}`);
}

async function smokeDeploy(entry: CatalogEntry, work: string): Promise<string> {
  const project = `${projectPrefix}-${entry.app.id}`.slice(0, 63);
  const folder = path.join(work, entry.app.id);
  const rendered = renderForTest(entry, 'standard', project, { 'homelabarr.app-id': entry.app.id });
  const hostPorts = new Map<string, number>();
  for (const port of rendered.ports) hostPorts.set(`${port.service}/${port.containerPort}/${port.protocol}`, await freePort());
  const stack = toSmokeStack(rendered, {
    stubImage: STUB_IMAGE,
    labels: testLabels({ 'homelabarr.smoke': entry.app.id }),
    hostPortFor: (port) => hostPorts.get(`${port.service}/${port.containerPort}/${port.protocol}`) ?? 0,
  });
  writeStack(folder, stack.composeYaml, rendered.envFile);
  try {
    await compose(folder, project, ['up', '-d', '--wait', '--wait-timeout', '60']);
    const web = entry.template.web;
    if (!web) return 'running (no web UI)';
    const owner = (rendered.compose.services[web.service]?.network_mode as string | undefined)?.replace(/^service:/, '') ?? web.service;
    const published = stack.ports.find((port) => port.service === owner && port.containerPort === web.port && port.protocol === 'tcp');
    if (!published) throw new Error(`web port ${web.port} of ${web.service} is not published`);
    return await fetchStubPage(published.hostPort, Date.now() + 20_000);
  } finally {
    await compose(folder, project, ['down', '-v', '--timeout', '2']).catch(() => undefined);
  }
}

describe('gate 5: smoke deploy of the whole catalog', () => {
  let work: string;
  beforeAll(async () => {
    await requireDocker();
    work = mkdtempSync(path.join(os.tmpdir(), 'hlr-smoke-'));
  });
  afterAll(async () => {
    await removeTestResources({ runId: testRunId });
    rmSync(work, { recursive: true, force: true });
  });

  it('deploys every app in standard mode on stubs and reaches its web port over HTTP', { timeout: 15 * 60_000 }, async () => {
    const loaded = loadCatalog([{ path: BUNDLED_ROOT, source: 'bundled' }], GLOBALS);
    const entries = [...loaded.entries.values()];
    const outcomes = await mapWithConcurrency(entries, CONCURRENCY, (entry) => smokeDeploy(entry, work));
    const results = outcomes.map((outcome, index) => {
      const id = entries[index]?.app.id ?? '?';
      if (outcome.status === 'fulfilled') return `${id}: ${outcome.value}`;
      const reason = outcome.reason instanceof CommandError ? outcome.reason.stderrTail.slice(-3).join(' | ') : String(outcome.reason);
      return `${id}: FAILED ${reason}`;
    });
    const expected = entries.map(({ app, template }) => `${app.id}: ${template.web ? '200 stub' : 'running (no web UI)'}`);
    expect(results).toEqual(expected);
    const leftovers = await runCommand(
      'docker',
      ['ps', '-aq', '--filter', `label=com.docker.compose.project`, '--filter', `label=homelabarr.test=${testRunId}`],
      {
        env: composeEnv,
        timeoutMs: 30_000,
      },
    );
    expect(leftovers.stdout.trim()).toBe('');
  });
});
