// Load on the real server process over loopback: 500 concurrent clients for HLR_LOAD_SECONDS
// (default 60) across the read routes, and 200 progress-stream clients connecting and
// disconnecting in churn for HLR_SSE_CHURN_SECONDS (default 20, in two rounds). Expected: 0 errors
// (every answer 2xx/304, no socket error, no timeout), and no growth afterwards of the server's
// file descriptors (/proc/<pid>/fd) or retained heap after a forced GC beyond a small allowance. Serial (it loads
// the whole machine): scripts/test.mjs runs *.serial.test.ts alone, after everything else.
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRunId } from '../helpers/docker.js';
import { DEFAULT_STREAM_OPTIONS } from '../../src/server/modules/stream/stream-types.js';
import { inspectorUrlOf, retainedHeapBytes } from '../helpers/heap-probe.js';
import { freePort, startServer, type ServerProcess } from '../helpers/server-process.js';
import { connectSse } from '../helpers/sse-client.js';
import { FigureRecorder } from './figures.js';
import { apiClient, pollUntil, type ApiClient } from './http-client.js';
import { startPrivateDocker, type PrivateDocker } from './private-docker.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');
const ADMIN_PASSWORD = 'test-admin-password-1';
const LOAD_SECONDS = Number(process.env.HLR_LOAD_SECONDS ?? 60);
const LOAD_CLIENTS = Number(process.env.HLR_LOAD_CLIENTS ?? 500);
const SSE_SECONDS = Number(process.env.HLR_SSE_CHURN_SECONDS ?? 20);
const SSE_CLIENTS = 200;
// Allowances for "no growth": a few descriptors (the stats sampler's Docker sockets come and go).
// Memory is judged by the heap that survives a forced collection, not RSS: RSS also counts what V8
// keeps for reuse and allocator fragmentation, and drifted by 37-61 MiB with no leak behind it.
const FD_ALLOWANCE = 10;
// Retained heap after a forced collection barely moves without a leak; thousands of requests or connections leaking
// even 1 KiB each would reach it.
const HEAP_ALLOWANCE_BYTES = 4 * 1024 * 1024;
const figures = new FigureRecorder('load');

let daemon: PrivateDocker;
let server: ServerProcess;
let api: ApiClient;
let viewerToken = '';
let adminToken = '';
let deploymentId = '';
let containerId = '';

function fdCount(): number {
  return readdirSync(`/proc/${server.process.pid as number}/fd`).length;
}

function rssBytes(): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.process.pid as number}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

async function retainedHeap(): Promise<number> {
  const inspector = inspectorUrlOf(server.output());
  if (!inspector) throw new Error(`the server printed no inspector address:\n${server.output()}`);
  return retainedHeapBytes(inspector);
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

beforeAll(async () => {
  daemon = await startPrivateDocker('load');
  for (let index = 0; index < 5; index += 1) {
    const container = await daemon.client.createContainer({
      name: `hlrl-${testRunId}-${index}`,
      Image: 'hlr-test/busybox:1',
      Cmd: ['sh', '-c', 'while true; do echo "line $(date)"; sleep 1; done'],
      Labels: { 'homelabarr.test': testRunId },
      HostConfig: { Init: true },
    });
    await container.start();
    if (index === 0) containerId = container.id.slice(0, 12);
  }
  server = await startServer(
    { DOCKER_HOST: daemon.host, CATALOG_PATHS: FIXTURES, COMPOSE_PROJECT_PREFIX: `hlrl${testRunId}`, LOG_LEVEL: 'warn' },
    // The inspector (loopback, a port of its own) lets the churn test collect garbage and read the retained heap.
    { waitForReady: false, nodeArgs: ['--inspect=127.0.0.1:0'] },
  );
  api = apiClient(server.backendUrl, figures, () => adminToken);
  await pollUntil(
    'the server answers',
    async () => ((await fetch(`${server.backendUrl}/health`).catch(() => null))?.status === 200 ? true : undefined),
    30_000,
    100,
  );
  adminToken = await api.login('admin', ADMIN_PASSWORD);
  expect((await api.post('/auth/register', { username: 'load-viewer', password: 'load-viewer-password', role: 'viewer' })).status).toBe(
    200,
  );
  viewerToken = await api.login('load-viewer', 'load-viewer-password');
  // One real deployment, so status, events and app logs have something to read.
  const accepted = await api.post('/deploy', {
    appId: 'hlrtest-web',
    config: { WEB_PORT: await freePort(), HLR_TEST_RUN: testRunId },
    mode: { type: 'standard' },
  });
  deploymentId = accepted.body.deploymentId as string;
  await pollUntil(
    'the deployment completes',
    async () => {
      const status = (await api.get(`/deployments/${deploymentId}/status`)).body.deployment as { status: string };
      return status.status === 'completed' ? true : undefined;
    },
    60_000,
    250,
  );
}, 180_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  await daemon?.destroy();
  figures.write();
}, 120_000);

type LoadResult = {
  requests: number;
  errors: Map<string, number>;
  statuses: Map<number, number>;
  latenciesMs: number[];
  byPath: Map<string, number[]>;
};

/** `clients` loops, each on its own keep-alive socket, cycling through `paths` until `seconds` pass. */
async function runLoad(paths: string[], clients: number, seconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const base = new URL(server.backendUrl);
  const result: LoadResult = { requests: 0, errors: new Map(), statuses: new Map(), latenciesMs: [], byPath: new Map() };
  const deadline = Date.now() + seconds * 1000;
  const noteError = (kind: string): void => {
    result.errors.set(kind, (result.errors.get(kind) ?? 0) + 1);
  };
  const one = (requestPath: string): Promise<void> =>
    new Promise((resolve) => {
      const started = performance.now();
      const request = http.request(
        {
          host: base.hostname,
          port: base.port,
          path: requestPath,
          agent,
          headers: { authorization: `Bearer ${viewerToken}` },
          timeout: 30_000,
        },
        (response) => {
          response.on('data', () => undefined);
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
            if (status >= 400) noteError(`${status} ${requestPath}`);
            const ms = performance.now() - started;
            if (result.latenciesMs.length < 200_000) result.latenciesMs.push(ms);
            const own = result.byPath.get(requestPath) ?? [];
            if (own.length < 20_000) own.push(ms);
            result.byPath.set(requestPath, own);
            resolve();
          });
          response.on('error', () => {
            noteError(`response error ${requestPath}`);
            resolve();
          });
        },
      );
      request.on('timeout', () => {
        noteError(`timeout ${requestPath}`);
        request.destroy();
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        noteError(`${error.code ?? error.message} ${requestPath}`);
        resolve();
      });
      request.end();
    });
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let turn = client; Date.now() < deadline; turn += 1) {
        await one(paths[turn % paths.length] as string);
        result.requests += 1;
      }
    }),
  );
  agent.destroy();
  return result;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

/**
 * The server's descriptor count once finished clients' sockets are closed: idle keep-alive sockets
 * to dockerd close after Node's 5 s agent timeout, so this waits (up to 12 s) for the count to reach
 * `target`, and otherwise answers the lowest count seen.
 */
async function settledFds(target: number): Promise<number> {
  let lowest = fdCount();
  const deadline = Date.now() + 12_000;
  while (lowest > target && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    lowest = Math.min(lowest, fdCount());
  }
  return lowest;
}

describe('load', () => {
  it(
    `serves ${LOAD_CLIENTS} concurrent clients on the read routes for ${LOAD_SECONDS} s with 0 errors, and its fds and memory do not grow`,
    async () => {
      const paths = [
        '/health',
        '/applications',
        '/applications?category=hlrtest',
        '/applications?search=web',
        '/deployment-modes',
        '/containers',
        '/containers?stats=true',
        `/containers/${containerId}/stats`,
        `/containers/${containerId}/logs?tail=20`,
        '/ports/check',
        '/ports/available?start=30000&end=30100',
        '/deployments/active',
        '/deployments?limit=10',
        `/deployments/${deploymentId}/status`,
        `/deployments/${deploymentId}/events`,
        '/applications/hlrtest-web/logs?lines=20',
        '/auth/me',
        '/enhanced-mount/no-such-mount/status',
      ];
      // Warm-up at full concurrency: JIT, pools and caches reach their working size before the baseline.
      const warmup = await runLoad(paths, LOAD_CLIENTS, 5);
      const baselineFds = await settledFds(0);
      const baselineRss = rssBytes();
      // Four equal quarters: V8 keeps the heap it grew to, so a leak shows as growth over the second half.
      const quarters: LoadResult[] = [];
      const fdsAfter: number[] = [];
      const rssAfter: number[] = [];
      const heapAfter: number[] = [];
      for (let quarter = 0; quarter < 4; quarter += 1) {
        quarters.push(await runLoad(paths, LOAD_CLIENTS, LOAD_SECONDS / 4));
        fdsAfter.push(await settledFds(baselineFds + FD_ALLOWANCE));
        rssAfter.push(rssBytes());
        heapAfter.push(await retainedHeap());
      }
      const rounds = [warmup, ...quarters];
      figures.request(rounds.reduce((sum, round) => sum + round.requests, 0));
      // The one unknown mount container is an expected 404 (the route is exercised, Docker is asked).
      const errors = Object.fromEntries(
        rounds.flatMap((round) => [...round.errors]).filter(([kind]) => !kind.startsWith('404 /enhanced-mount')),
      );
      figures.failure(Object.values(errors).reduce((sum, count) => sum + count, 0));
      expect(errors).toEqual({});
      for (const round of rounds) expect([...round.statuses.keys()].sort()).toEqual([200, 404]);

      const requests = quarters.reduce((sum, quarter) => sum + quarter.requests, 0);
      const latencies = quarters.flatMap((quarter) => quarter.latenciesMs);
      figures.note('load requests', requests);
      figures.note('load seconds', LOAD_SECONDS);
      figures.note('load clients', LOAD_CLIENTS);
      figures.note('load req/s', Math.round(requests / LOAD_SECONDS));
      figures.note('load p50 ms', Math.round(percentile(latencies, 0.5)));
      figures.note('load p99 ms', Math.round(percentile(latencies, 0.99)));
      for (const [requestPath, own] of quarters[3]?.byPath ?? [])
        figures.note(`p50/p99 ms ${requestPath}`, `${Math.round(percentile(own, 0.5))}/${Math.round(percentile(own, 0.99))}`);
      figures.note('fds baseline/after each quarter', [baselineFds, ...fdsAfter].join('/'));
      figures.note('RSS baseline/after each quarter (not asserted)', [baselineRss, ...rssAfter].map(mib).join('/'));
      figures.note('retained heap after GC, each quarter', heapAfter.map(mib).join('/'));
      for (const count of fdsAfter) expect(count).toBeLessThanOrEqual(baselineFds + FD_ALLOWANCE);
      // Over the second half, with caches and pools at their working size: what survives a collection must not grow.
      expect((heapAfter[3] ?? 0) - (heapAfter[1] ?? 0)).toBeLessThan(HEAP_ALLOWANCE_BYTES);
      expect(server.process.exitCode).toBeNull();
    },
    (LOAD_SECONDS + 120) * 1000,
  );

  /** SSE_CLIENTS loops: connect, await `connected`, sometimes subscribe (replaying the stored events), hold a moment, disconnect. */
  async function churn(seconds: number): Promise<{ connections: number; errors: string[] }> {
    const deadline = Date.now() + seconds * 1000;
    const errors: string[] = [];
    let connections = 0;
    await Promise.all(
      Array.from({ length: SSE_CLIENTS }, async (_, client) => {
        for (let turn = 0; Date.now() < deadline; turn += 1) {
          try {
            const stream = await connectSse(`${server.backendUrl}/stream/progress`);
            connections += 1;
            if (stream.status !== 200) errors.push(`status ${stream.status}`);
            const connected = await stream.waitFor((event) => event.event === 'connected', 10_000);
            if ((client + turn) % 4 === 0) {
              const clientId = connected.json.clientId as string;
              const subscribed = await api.call('POST', `/stream/deployments/${deploymentId}/subscribe`, {
                body: { clientId },
                token: viewerToken,
              });
              if (subscribed.status !== 200) errors.push(`subscribe ${subscribed.status}`);
              await stream.waitFor((event) => event.event === 'deployment-complete', 10_000);
            }
            await new Promise((resolve) => setTimeout(resolve, (client * 7 + turn * 13) % 300));
            stream.close();
          } catch (error) {
            errors.push((error as Error).message);
          }
        }
      }),
    );
    return { connections, errors };
  }

  async function streamGauge(name: string): Promise<number> {
    const metrics = await api.call('GET', '/metrics', { token: adminToken });
    const text = typeof metrics.body.raw === 'string' ? metrics.body.raw : '';
    return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? -1);
  }
  const openStreams = (): Promise<number> => streamGauge('homelabarr_sse_clients');

  it(
    `serves ${SSE_CLIENTS} progress-stream clients connecting and disconnecting in churn with 0 errors, and every stream is released`,
    async () => {
      const warm = await churn(3);
      expect(warm.errors).toEqual([]);
      const baselineFds = await settledFds(0);
      const heapBaseline = await retainedHeap();
      const first = await churn(SSE_SECONDS / 2);
      const fdsAfterFirst = await settledFds(baselineFds + FD_ALLOWANCE);
      await pollUntil('the first round is released', async () => ((await openStreams()) === 0 ? 0 : undefined), 15_000, 250);
      const rssAfterFirst = rssBytes();
      const heapAfterFirst = await retainedHeap();
      const rememberedAfterFirst = await streamGauge('homelabarr_sse_remembered_clients');
      const second = await churn(SSE_SECONDS / 2);
      const fdsAfterSecond = await settledFds(baselineFds + FD_ALLOWANCE);
      const errors = [...first.errors, ...second.errors];
      figures.request(warm.connections + first.connections + second.connections);
      figures.failure(errors.length);
      expect(errors).toEqual([]);
      expect(await pollUntil('every stream is released', async () => ((await openStreams()) === 0 ? 0 : undefined), 15_000, 250)).toBe(0);
      const rssAfterSecond = rssBytes();
      const heapAfterSecond = await retainedHeap();
      const rememberedAfterSecond = await streamGauge('homelabarr_sse_remembered_clients');
      figures.note('SSE connections', first.connections + second.connections);
      figures.note('fds before/after churn', `${baselineFds}/${fdsAfterFirst}/${fdsAfterSecond}`);
      figures.note('RSS after churn rounds (not asserted)', `${mib(rssAfterFirst)}/${mib(rssAfterSecond)}`);
      figures.note('retained heap after GC: baseline/first/second', [heapBaseline, heapAfterFirst, heapAfterSecond].map(mib).join('/'));
      figures.note('remembered stream clients after each round', `${rememberedAfterFirst}/${rememberedAfterSecond}`);
      expect(fdsAfterFirst).toBeLessThanOrEqual(baselineFds + FD_ALLOWANCE);
      expect(fdsAfterSecond).toBeLessThanOrEqual(baselineFds + FD_ALLOWANCE);
      // Disconnected clients are kept for a resume, but never more than the hub's bound.
      expect(rememberedAfterSecond).toBeLessThanOrEqual(DEFAULT_STREAM_OPTIONS.maxRememberedClients);
      // What survives a full collection: a leak per connection would grow with the second round's
      // thousands of connections; the bounded resume memory is already full after the first.
      expect(heapAfterSecond - heapAfterFirst).toBeLessThan(HEAP_ALLOWANCE_BYTES);
      expect(server.process.exitCode).toBeNull();
    },
    (SSE_SECONDS + 120) * 1000,
  );
});
