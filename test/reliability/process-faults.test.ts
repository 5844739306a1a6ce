// Faults of the server's own process and surroundings: SIGKILL in the middle of a deploy and a
// restart on the same DATA_DIR (the deployment is interrupted, its events intact, its containers
// reconciled, the database sound), a compose binary that is missing (and then appears), and
// AUTH_ENABLED=false (a loud warning, and /health says so).
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRunId } from '../helpers/docker.js';
import { freePort, startServer, type ServerProcess } from '../helpers/server-process.js';
import { FigureRecorder } from './figures.js';
import { adminSession, pollUntil, type ApiClient } from './http-client.js';
import { startPrivateDocker, type PrivateDocker } from './private-docker.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');
const COMPOSE_PLUGIN = '/usr/local/lib/docker/cli-plugins/docker-compose';
const COMPOSE_FIX =
  'Deploys need docker compose v2. Install it with sudo bash scripts/setup-host.sh (Docker Engine and compose v2 from Debian’s archive), or set COMPOSE_BINARY to a docker-compose binary; the server finds it without a restart.';
const BANNER = 'WARNING: AUTH_ENABLED=false. Anyone who can reach 127.0.0.1:';
const figures = new FigureRecorder('process-faults');

let daemon: PrivateDocker;
const servers: ServerProcess[] = [];
const folders: string[] = [];

beforeAll(async () => {
  daemon = await startPrivateDocker('process');
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop('SIGKILL')));
  await daemon?.destroy();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  figures.write();
}, 120_000);

async function start(env: Record<string, string> = {}): Promise<{ server: ServerProcess; api: ApiClient; token: string }> {
  const server = await startServer({
    DOCKER_HOST: daemon.host,
    CATALOG_PATHS: FIXTURES,
    COMPOSE_PROJECT_PREFIX: `hlrp${testRunId}`,
    DEPLOY_VERIFY_TIMEOUT: '120',
    ...env,
  });
  servers.push(server);
  const { api, token } = await adminSession(server.backendUrl, figures);
  return { server, api, token };
}

type StoredEvent = { id: number; event: string; data: Record<string, unknown> };

describe('the server killed in the middle of a deploy', () => {
  it('marks the deployment interrupted after a restart, keeps its events, reconciles its containers, and the database passes integrity_check', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hlr-crash-'));
    folders.push(dataDir);
    const first = await start({ DATA_DIR: dataDir });
    const accepted = await first.api.post('/deploy', {
      appId: 'hlrtest-slow',
      config: { HLR_TEST_RUN: testRunId },
      mode: { type: 'standard' },
    });
    expect(accepted.status).toBe(200);
    const deploymentId = accepted.body.deploymentId as string;
    await pollUntil('the deployment waits in verify', async () => {
      const status = await first.api.get(`/deployments/${deploymentId}/status`);
      return (status.body.deployment as { step: string }).step === 'verify' ? true : undefined;
    });
    const before = (await first.api.get(`/deployments/${deploymentId}/events?limit=1000`)).body.events as StoredEvent[];

    first.server.process.kill('SIGKILL');
    await first.server.exited;
    figures.fault();

    const db = new Database(path.join(dataDir, 'homelabarr.db'));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT status FROM deployments WHERE id = ?').get(deploymentId)).toEqual({ status: 'in-progress' });
    } finally {
      db.close();
    }

    // Same DATA_DIR: the dead process's lock is taken over, and the deployment is settled before anyone asks.
    const second = await start({ DATA_DIR: dataDir });
    expect(second.server.output()).toContain(`Deployment ${deploymentId} of hlrtest-slow was interrupted by a restart`);
    const status = (await second.api.get(`/deployments/${deploymentId}/status`)).body.deployment as Record<string, unknown>;
    const containerName = `hlrp${testRunId}-hlrtest-slow-app-1`;
    expect(status).toMatchObject({
      id: deploymentId,
      appId: 'hlrtest-slow',
      status: 'interrupted',
      step: 'verify',
      finishedAt: expect.any(String),
      error: `The server stopped while this deployment was at the verify step. Its containers are running: ${containerName}. Deploy the app again to finish it.`,
      result: { urls: [], ports: [], containers: [expect.objectContaining({ name: containerName, service: 'app', state: 'running' })] },
    });
    const after = (await second.api.get(`/deployments/${deploymentId}/events?limit=1000`)).body.events as StoredEvent[];
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((event) => [event.event, event.data.status])).toEqual([
      ['deployment-step', 'failed'],
      ['deployment-complete', 'interrupted'],
    ]);
    expect((await second.api.get('/deployments/active')).body.deployments).toEqual([]);

    // The app is operable after the crash: removing it takes its containers away.
    const removed = await second.api.call('DELETE', '/applications/hlrtest-slow');
    expect(removed.status).toBe(200);
    expect(
      await daemon.client.listContainers({ all: true, filters: { label: [`com.docker.compose.project=hlrp${testRunId}-hlrtest-slow`] } }),
    ).toEqual([]);
    await second.server.stop('SIGTERM');
    const reopened = new Database(path.join(dataDir, 'homelabarr.db'));
    try {
      expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      reopened.close();
    }
  });
});

describe('a compose binary that is missing', () => {
  it('answers a deploy with 503 and the fix, reports it in /health and /deployment-modes, and finds the binary once it appears without a restart', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'hlr-nocompose-'));
    folders.push(folder);
    const binary = path.join(folder, 'docker-compose');
    const { server, api } = await start({ COMPOSE_BINARY: binary });
    expect(server.output()).toContain('docker compose was not found; deploys are disabled until it is installed');
    expect((await api.get('/deployment-modes', null)).body.cliAvailable).toBe(false);
    const health = await api.get('/health', null);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      status: 'degraded',
      docker: { status: 'connected', compose: { available: false, version: null } },
    });
    expect(health.body.troubleshooting).toContainEqual({
      problem: 'docker compose v2 was not found, so apps cannot be deployed',
      fix: 'Install compose v2: sudo bash scripts/setup-host.sh (installs and starts Docker Engine and compose v2 from Debian’s archive), or set COMPOSE_BINARY to a docker-compose binary.',
    });
    const port = await freePort();
    const body = { appId: 'hlrtest-web', config: { WEB_PORT: port, HLR_TEST_RUN: testRunId }, mode: { type: 'standard' } };
    const refused = await api.post('/deploy', body);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({
      error: 'docker compose is not installed',
      details: COMPOSE_FIX,
      code: 'COMPOSE_UNAVAILABLE',
      requestId: expect.any(String),
    });
    expect((await api.get('/deployments')).body.total).toBe(0);
    figures.fault();

    symlinkSync(COMPOSE_PLUGIN, binary);
    const accepted = await api.post('/deploy', body);
    expect(accepted.status).toBe(200);
    const done = await pollUntil(
      'the deploy ends',
      async () => {
        const deployment = (await api.get(`/deployments/${accepted.body.deploymentId as string}/status`)).body.deployment as {
          status: string;
        };
        return ['completed', 'failed'].includes(deployment.status) ? deployment : undefined;
      },
      60_000,
    );
    expect(done).toMatchObject({ status: 'completed', error: null });
    expect((await api.get('/deployment-modes', null)).body.cliAvailable).toBe(true);
    expect((await api.call('DELETE', '/applications/hlrtest-web')).status).toBe(200);
    await server.stop('SIGTERM');
  });
});

describe('AUTH_ENABLED=false', () => {
  it('warns in the log and on stderr at start and says so in /health, while the auth routes stay closed', async () => {
    const { server, api } = await start({ AUTH_ENABLED: 'false' });
    const warning = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .find((line) => line.msg.startsWith('AUTH_ENABLED=false'));
    expect(warning).toEqual(
      expect.objectContaining({
        level: 40,
        msg: 'AUTH_ENABLED=false: the API is open to anyone who can reach it. Only do this on a trusted network.',
      }),
    );
    expect(server.output()).toContain(BANNER);
    const health = await api.get('/health', null);
    expect(health.body.auth).toEqual({ enabled: false });
    expect(health.body.troubleshooting).toContainEqual({
      problem: 'Authentication is disabled',
      fix: 'Set AUTH_ENABLED=true unless the server is reachable only from a trusted network.',
    });
    expect((await api.get('/containers', null)).status).toBe(200);
    expect((await api.get('/auth/users', null)).status).toBe(401);
    await server.stop('SIGTERM');
  });

  it('prints the warning even when LOG_LEVEL hides warnings', async () => {
    const server = await startServer({ DOCKER_HOST: daemon.host, AUTH_ENABLED: 'false', LOG_LEVEL: 'silent' }, { waitForReady: false });
    servers.push(server);
    await pollUntil(
      'the server answers',
      async () => ((await fetch(`${server.backendUrl}/health`)).status > 0 ? true : undefined),
      20_000,
      100,
    );
    figures.request();
    expect(server.output()).toContain(BANNER);
    expect(server.output()).not.toContain('"level"');
    await server.stop('SIGTERM');
  });
});
