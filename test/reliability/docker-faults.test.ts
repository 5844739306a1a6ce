// Docker stopped and started under a running server: idle, during container listings with stats,
// and during a deploy. A private dockerd (private-docker.ts) plays Docker, so the shared daemon is
// never touched. While it is down the API answers 503 with the wire error body; when it is back the
// same server process recovers by itself; a deploy caught by the outage fails with a clear reason.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRunId } from '../helpers/docker.js';
import { freePort, startServer, type ServerProcess } from '../helpers/server-process.js';
import { FigureRecorder } from './figures.js';
import { adminSession, pollUntil, type ApiAnswer, type ApiClient } from './http-client.js';
import { startPrivateDocker, type PrivateDocker } from './private-docker.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');
const figures = new FigureRecorder('docker-faults');

let daemon: PrivateDocker;
let server: ServerProcess;
let api: ApiClient;

const DOCKER_DOWN = {
  error: 'Docker is not reachable',
  details: expect.stringMatching(
    /^The Docker daemon(?: at unix:\/\/\S+)? did not answer(?: \(\w+\))?\. Start Docker \(scripts\/setup-host\.sh installs and starts Docker Engine and compose v2\) and retry; the server reconnects by itself\.$/,
  ),
  code: 'DOCKER_UNAVAILABLE',
  requestId: expect.any(String),
};

beforeAll(async () => {
  daemon = await startPrivateDocker('faults');
  server = await startServer({
    DOCKER_HOST: daemon.host,
    CATALOG_PATHS: FIXTURES,
    COMPOSE_PROJECT_PREFIX: `hlrf${testRunId}`,
    DEPLOY_VERIFY_TIMEOUT: '30',
  });
  ({ api } = await adminSession(server.backendUrl, figures));
}, 120_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  await daemon?.destroy();
  figures.write();
}, 120_000);

function assertServerAlive(): void {
  expect(server.process.exitCode).toBeNull();
  expect(server.process.signalCode).toBeNull();
}

async function runStubContainer(name: string): Promise<string> {
  const container = await daemon.client.createContainer({
    name: `hlrf-${testRunId}-${name}`,
    Image: 'hlr-test/busybox:1',
    Cmd: ['sleep', '3600'],
    Labels: { 'homelabarr.test': testRunId },
    HostConfig: { Init: true, RestartPolicy: { Name: 'unless-stopped' } },
  });
  await container.start();
  return container.id;
}

describe('Docker stopped and started under a running server', () => {
  it('answers 503 while Docker is down when idle, keeps serving the catalog, and recovers without a restart', async () => {
    expect((await api.get('/containers')).status).toBe(200);
    await daemon.stop();
    const down = await api.get('/containers');
    expect(down.status).toBe(503);
    expect(down.body).toEqual(DOCKER_DOWN);
    const ports = await api.get('/ports/check');
    expect(ports.status).toBe(503);
    expect(ports.body).toEqual(DOCKER_DOWN);
    const health = await api.get('/health', null);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'degraded', docker: { status: 'unavailable' }, database: { status: 'ok' } });
    // Catalog-only mode: browsing apps, modes and the deployment history still works.
    expect((await api.get('/applications', null)).status).toBe(200);
    expect((await api.get('/deployment-modes', null)).status).toBe(200);
    expect((await api.get('/deployments')).status).toBe(200);

    await daemon.start();
    await pollUntil(
      'GET /containers answers 200 again',
      async () => ((await api.get('/containers')).status === 200 ? true : undefined),
      15_000,
    );
    const healthy = await pollUntil('GET /health is healthy again', async () => {
      const answer = await api.get('/health', null);
      return answer.status === 200 ? answer : undefined;
    });
    expect(healthy.body).toMatchObject({ status: 'healthy', docker: { status: 'connected' } });
    assertServerAlive();
    figures.fault();
  });

  it('answers only 200 or 503 to listings with stats while Docker goes away, and serves live stats again once it is back', async () => {
    const ids = await Promise.all(['a', 'b', 'c'].map((name) => runStubContainer(name)));
    const statsOf = (answer: ApiAnswer): (Record<string, unknown> | null)[] =>
      (answer.body.containers as { Id: string; stats: Record<string, unknown> | null }[])
        .filter((container) => ids.includes(container.Id))
        .map((container) => container.stats);
    const warm = await pollUntil('every stub container has stats', async () => {
      const answer = await api.get('/containers?stats=true');
      return answer.status === 200 && statsOf(answer).length === 3 && statsOf(answer).every((stats) => stats !== null) ? answer : undefined;
    });
    expect(statsOf(warm)[0]).toMatchObject({ cpu: expect.any(Number), memory: { usage: expect.any(Number) }, pids: expect.any(Number) });

    const statuses = new Map<number, number>();
    let isLooping = true;
    let slowestMs = 0;
    const loops = Array.from({ length: 8 }, async () => {
      while (isLooping) {
        const answer = await api.get('/containers?stats=true');
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        slowestMs = Math.max(slowestMs, answer.ms);
        if (answer.status === 503) expect(answer.body).toEqual(DOCKER_DOWN);
      }
    });
    await pollUntil('the listings are under way', async () => ((statuses.get(200) ?? 0) >= 8 ? true : undefined), 15_000, 50);
    await daemon.stop();
    await pollUntil('a listing answers 503', async () => ((statuses.get(503) ?? 0) > 0 ? true : undefined), 15_000, 50);
    await daemon.start();
    const recovered = await pollUntil(
      'stats are live again for the restarted containers',
      async () => {
        const answer = await api.get('/containers?stats=true');
        return answer.status === 200 && statsOf(answer).length === 3 && statsOf(answer).every((stats) => stats !== null)
          ? answer
          : undefined;
      },
      30_000,
      250,
    );
    isLooping = false;
    await Promise.all(loops);
    expect([...statuses.keys()].sort()).toEqual([200, 503]);
    expect(statsOf(recovered).every((stats) => typeof stats?.uptime === 'number')).toBe(true);
    // Nothing waited out a timeout: the sampler gives up on a dead daemon at once.
    expect(slowestMs).toBeLessThan(15_000);
    assertServerAlive();
    figures.fault();
    figures.note(
      'listings during the outage',
      [...statuses.values()].reduce((sum, count) => sum + count, 0),
    );
    figures.note('slowest listing during the outage (ms)', Math.round(slowestMs));
  });

  it('refuses a deploy while Docker is down, fails a deploy caught by the outage with a clear reason, and deploys again once Docker is back', async () => {
    await daemon.stop();
    const refused = await api.post('/deploy', {
      appId: 'hlrtest-web',
      config: { WEB_PORT: await freePort(), HLR_TEST_RUN: testRunId },
      mode: { type: 'standard' },
    });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual(DOCKER_DOWN);
    expect((await api.get('/deployments?appId=hlrtest-web')).body.total).toBe(0);
    await daemon.start();

    // The slow app's healthcheck keeps it "starting", so the deploy sits in verify until Docker goes.
    const accepted = await api.post('/deploy', { appId: 'hlrtest-slow', config: { HLR_TEST_RUN: testRunId }, mode: { type: 'standard' } });
    expect(accepted.status).toBe(200);
    const deploymentId = accepted.body.deploymentId as string;
    await pollUntil('the deployment reaches verify', async () => {
      const status = await api.get(`/deployments/${deploymentId}/status`);
      return (status.body.deployment as { step: string }).step === 'verify' ? true : undefined;
    });
    await daemon.stop();
    const failed = await pollUntil(
      'the deployment ends',
      async () => {
        const status = await api.get(`/deployments/${deploymentId}/status`);
        const deployment = status.body.deployment as { status: string; error: string | null };
        return ['failed', 'completed'].includes(deployment.status) ? deployment : undefined;
      },
      45_000,
    );
    // Which reason wins is a race: a stopping dockerd first stops its containers (SIGTERM, exit 143), then goes away;
    // once it no longer answers, the runner names Docker as the cause.
    expect(failed).toMatchObject({
      status: 'failed',
      step: 'verify',
      error: expect.stringMatching(
        /^(?:Docker is not reachable: The Docker daemon(?: at \S+)? did not answer|Docker stopped answering during the verify step|Container hlrf\w+-hlrtest-slow-app-1 \(service app\) exited with code 143)/,
      ),
    });
    const events = await api.get(`/deployments/${deploymentId}/events?limit=1000`);
    const last = (events.body.events as { event: string; data: Record<string, unknown> }[]).at(-1);
    expect(last?.event).toBe('deployment-complete');
    expect(last?.data).toMatchObject({ success: false, status: 'failed', summary: { error: failed.error } });
    expect((await api.get('/deployments/active')).body.deployments).toEqual([]);

    await daemon.start();
    const port = await freePort();
    const again = await pollUntil('a deploy is accepted again', async () => {
      const answer = await api.post('/deploy', {
        appId: 'hlrtest-web',
        config: { WEB_PORT: port, HLR_TEST_RUN: testRunId },
        mode: { type: 'standard' },
      });
      return answer.status === 200 ? answer : undefined;
    });
    const completed = await pollUntil(
      'the new deployment completes',
      async () => {
        const status = await api.get(`/deployments/${again.body.deploymentId as string}/status`);
        const deployment = status.body.deployment as { status: string };
        return ['failed', 'completed'].includes(deployment.status) ? deployment : undefined;
      },
      60_000,
    );
    expect(completed).toMatchObject({ status: 'completed', error: null });
    // The private daemon's published ports live in its own network namespace: ask from there.
    expect(await daemon.fetchText(`http://127.0.0.1:${port}/`)).toBe('stub\n');
    assertServerAlive();
    figures.fault(2);
  });
});
