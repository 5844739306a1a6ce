// rclone stopped under a running server: the Enhanced Mount Manager routes answer 503 (the wire
// body), every other route is unaffected, and the same process recovers when rclone is back. A
// real `rclone rcd` on 127.0.0.1 plays the mount container's remote control; the mount container
// itself is a labelled stub container on a private dockerd, and its RC credentials sit in the
// stack's .env as a deploy would have written them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRunId } from '../helpers/docker.js';
import { freePort, startServer, type ServerProcess } from '../helpers/server-process.js';
import { FigureRecorder } from './figures.js';
import { adminSession, pollUntil, type ApiClient } from './http-client.js';
import { startPrivateDocker, type PrivateDocker } from './private-docker.js';

const RC_USER = 'homelabarr';
const RC_PASS = `rc-${testRunId}-secret`;
const figures = new FigureRecorder('rclone-fault');

let daemon: PrivateDocker;
let server: ServerProcess;
let api: ApiClient;
let work: string;
let rcPort: number;
let rcd: ChildProcess | null = null;
let mountName: string;

/** `rclone rcd` on a fixed port, so a restart comes back where the container's label points. */
async function startRcd(): Promise<void> {
  const child = spawn(
    'rclone',
    [
      'rcd',
      '--rc-addr',
      `127.0.0.1:${rcPort}`,
      '--rc-user',
      RC_USER,
      '--rc-pass',
      RC_PASS,
      '--config',
      path.join(work, 'rclone.conf'),
      '--cache-dir',
      path.join(work, 'cache'),
    ],
    { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  rcd = child;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Serving remote control on')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`rclone rcd exited with ${code}:\n${output}`)));
  });
}

async function stopRcd(): Promise<void> {
  const child = rcd;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

const MOUNT_ROUTES = ['status', 'providers', 'costs', 'performance'];

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'hlr-rclone-fault-'));
  writeFileSync(path.join(work, 'rclone.conf'), '', { mode: 0o600 });
  rcPort = await freePort();
  await startRcd();
  daemon = await startPrivateDocker('rclone');
  mountName = `hlrm-${testRunId}-mount`;
  const container = await daemon.client.createContainer({
    name: mountName,
    Image: 'hlr-test/busybox:1',
    Cmd: ['sleep', '3600'],
    Labels: {
      'homelabarr.test': testRunId,
      'homelabarr.app-id': 'system-rclone-mount',
      'homelabarr.mount': 'rclone',
      'homelabarr.mount.rc-port': '0',
      'homelabarr.mount.rc-url': `http://127.0.0.1:${rcPort}`,
      'homelabarr.mount.path': path.join(work, 'remotes'),
    },
    HostConfig: { Init: true },
  });
  await container.start();
  const dataDir = path.join(work, 'data');
  mkdirSync(path.join(dataDir, 'stacks', 'system-rclone-mount'), { recursive: true });
  writeFileSync(path.join(dataDir, 'stacks', 'system-rclone-mount', 'compose.yaml'), 'services: {}\n');
  writeFileSync(path.join(dataDir, 'stacks', 'system-rclone-mount', '.env'), `RCLONE_RC_USER=${RC_USER}\nRCLONE_RC_PASS=${RC_PASS}\n`, {
    mode: 0o600,
  });
  server = await startServer({ DATA_DIR: dataDir, DOCKER_HOST: daemon.host, COMPOSE_PROJECT_PREFIX: `hlrm${testRunId}` });
  ({ api } = await adminSession(server.backendUrl, figures));
}, 120_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  await stopRcd();
  await daemon?.destroy();
  rmSync(work, { recursive: true, force: true });
  figures.write();
}, 120_000);

const RCLONE_DOWN = {
  error: 'rclone is not reachable',
  details: expect.stringMatching(
    /^The mount container's rclone did not answer \(.+\)\. Check that the container is running and that HomelabARR can reach it\.$/,
  ),
  code: 'RCLONE_UNAVAILABLE',
  requestId: expect.any(String),
};

async function expectOtherRoutesServed(): Promise<void> {
  for (const url of ['/health', '/containers', '/applications', '/deployments', '/ports/check', '/auth/me']) {
    const answer = await api.get(url);
    expect([url, answer.status]).toEqual([url, 200]);
  }
  const notAMount = await api.get('/enhanced-mount/no-such-container/status');
  expect(notAMount.status).toBe(404);
}

describe('rclone stopped under a running server', () => {
  it('answers every mount route while rclone runs', async () => {
    for (const route of MOUNT_ROUTES) {
      const answer = await api.get(`/enhanced-mount/${mountName}/${route}`);
      expect([route, answer.status]).toEqual([route, 200]);
      expect(answer.body).toMatchObject({ success: true, containerId: mountName });
    }
  });

  it('answers 503 on the mount routes while rclone is stopped, serves every other route, and recovers without a restart', async () => {
    await stopRcd();
    const answers = await Promise.all([
      ...MOUNT_ROUTES.map((route) => api.get(`/enhanced-mount/${mountName}/${route}`)),
      api.post(`/enhanced-mount/${mountName}/providers/local/enable`),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual(RCLONE_DOWN);
      // A refused connection is answered at once, never after the RC timeout.
      expect(answer.ms).toBeLessThan(5000);
    }
    await expectOtherRoutesServed();

    await startRcd();
    for (const route of MOUNT_ROUTES) {
      const answer = await api.get(`/enhanced-mount/${mountName}/${route}`);
      expect([route, answer.status]).toEqual([route, 200]);
    }
    expect(server.process.exitCode).toBeNull();
    figures.fault();
  });

  it('answers 503 "rclone is not running" while the mount container is stopped, and recovers when it starts', async () => {
    const container = daemon.client.getContainer(mountName);
    await container.stop({ t: 1 });
    const answer = await api.get(`/enhanced-mount/${mountName}/status`);
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      error: 'rclone is not running',
      details: `The mount container ${mountName} is exited; start it and retry.`,
      code: 'RCLONE_UNAVAILABLE',
      requestId: expect.any(String),
    });
    await expectOtherRoutesServed();
    await container.start();
    await pollUntil(
      'the mount routes answer again',
      async () => ((await api.get(`/enhanced-mount/${mountName}/status`)).status === 200 ? true : undefined),
      15_000,
    );
    figures.fault();
  });
});
