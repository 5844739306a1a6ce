// Deploy of a one-service stub app through the API, against a bare `docker compose up -d` of the
// very file the server rendered, alternating, with a down between every run. Server-side times
// come from the stored events' timestamps (server clock, same host) relative to just before POST.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../../src/server/infra/run-command.js';
import { testEnv } from '../../test/helpers/docker.js';
import type { ServerUnderTest } from './server-under-test.js';

export type DeployRun = {
  /** POST → the deploy step completed: `docker compose up -d` returned inside the server, containers running. */
  runningMs: number;
  /** POST → deployment-complete (after verify). */
  completedMs: number;
  /** Per step: milliseconds from POST to its start and to its end. */
  steps: Record<string, { startMs: number; endMs: number }>;
};

export type DeployTiming = { server: DeployRun[]; bareMs: number[]; project: string };

type StoredEvent = { id: number; event: string; data: Record<string, unknown> };

const nowEpochMs = (): number => performance.timeOrigin + performance.now();

async function api(
  server: ServerUnderTest,
  token: string,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

export async function startDeployment(
  server: ServerUnderTest,
  token: string,
  appId: string,
  config: Record<string, unknown>,
): Promise<string> {
  const { status, json } = await api(server, token, 'POST', '/deploy', { appId, config, mode: { type: 'standard' } });
  if (status !== 200) throw new Error(`POST /deploy answered ${status}: ${JSON.stringify(json)}`);
  return json.deploymentId as string;
}

export async function deploymentStatus(
  server: ServerUnderTest,
  token: string,
  id: string,
): Promise<{ status: string; step: string | null; error: string | null }> {
  const { json } = await api(server, token, 'GET', `/deployments/${id}/status`);
  return json.deployment as { status: string; step: string | null; error: string | null };
}

export async function waitForDeployment(
  server: ServerUnderTest,
  token: string,
  id: string,
  isDone: (state: { status: string; step: string | null }) => boolean,
  timeoutMs = 120_000,
): Promise<{ status: string; step: string | null; error: string | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await deploymentStatus(server, token, id);
    if (isDone(state)) return state;
    if (Date.now() > deadline) throw new Error(`Deployment ${id} still ${state.status} (${state.step ?? '-'}) after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function deploymentEvents(server: ServerUnderTest, token: string, id: string): Promise<StoredEvent[]> {
  const { json } = await api(server, token, 'GET', `/deployments/${id}/events?limit=1000`);
  return json.events as StoredEvent[];
}

export async function removeApp(server: ServerUnderTest, token: string, appId: string): Promise<void> {
  const { status, json } = await api(server, token, 'DELETE', `/applications/${appId}`);
  if (status !== 200 && status !== 404) throw new Error(`DELETE /applications/${appId} answered ${status}: ${JSON.stringify(json)}`);
}

const FINISHED = new Set(['completed', 'failed', 'interrupted', 'cancelled']);

async function deployThroughApi(
  server: ServerUnderTest,
  token: string,
  appId: string,
  config: Record<string, unknown>,
): Promise<DeployRun & { id: string }> {
  const postedAt = nowEpochMs();
  const id = await startDeployment(server, token, appId, config);
  const final = await waitForDeployment(server, token, id, (state) => FINISHED.has(state.status));
  if (final.status !== 'completed') throw new Error(`The stub deploy ended ${final.status}: ${final.error ?? ''}`);
  const events = await deploymentEvents(server, token, id);
  const at = (event: StoredEvent): number => Date.parse(String(event.data.timestamp)) - postedAt;
  const steps: DeployRun['steps'] = {};
  for (const event of events) {
    if (event.event !== 'deployment-step') continue;
    const step = String(event.data.step);
    const entry = (steps[step] ??= { startMs: Number.NaN, endMs: Number.NaN });
    if (event.data.status === 'started') entry.startMs = at(event);
    else entry.endMs = at(event);
  }
  const complete = events.find((event) => event.event === 'deployment-complete');
  const deployEnd = steps.deploy?.endMs;
  if (!complete || deployEnd === undefined || Number.isNaN(deployEnd))
    throw new Error(`Deployment ${id} has no deploy-step end or completion event`);
  return { id, runningMs: deployEnd, completedMs: at(complete), steps };
}

async function compose(project: string, directory: string, action: string[]): Promise<void> {
  await runCommand(
    'docker',
    [
      'compose',
      '--ansi',
      'never',
      '--progress',
      'plain',
      '-p',
      project,
      '-f',
      path.join(directory, 'compose.yaml'),
      '--env-file',
      path.join(directory, '.env'),
      ...action,
    ],
    { env: testEnv(), cwd: directory, timeoutMs: 120_000 },
  );
}

export async function composeDown(project: string): Promise<void> {
  await runCommand('docker', ['compose', '-p', project, 'down', '--remove-orphans'], { env: testEnv(), timeoutMs: 120_000 }).catch(
    () => undefined,
  );
}

/**
 * Alternates API deploy and bare compose up `reps` times, after one pair that only warms up (page
 * cache, compose's first start); the app is removed between runs.
 */
export async function measureDeploys(
  server: ServerUnderTest,
  token: string,
  options: { appId: string; project: string; config: Record<string, unknown>; reps: number },
): Promise<DeployTiming> {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'hlr-bench-stack-'));
  const timing: DeployTiming = { server: [], bareMs: [], project: options.project };
  try {
    for (let rep = 0; rep <= options.reps; rep += 1) {
      const isWarmup = rep === 0;
      const run = await deployThroughApi(server, token, options.appId, options.config);
      if (!isWarmup) timing.server.push(run);
      if (isWarmup) cpSync(path.join(server.dataDir, 'stacks', options.appId), copy, { recursive: true });
      // Through the API, so the next deploy is a first deploy again (the stack folder goes too).
      await removeApp(server, token, options.appId);

      const startedAt = nowEpochMs();
      await compose(options.project, copy, ['up', '-d', '--remove-orphans']);
      if (!isWarmup) timing.bareMs.push(nowEpochMs() - startedAt);
      await compose(options.project, copy, ['down', '--remove-orphans']);
    }
  } finally {
    await composeDown(options.project);
    rmSync(copy, { recursive: true, force: true });
  }
  return timing;
}
