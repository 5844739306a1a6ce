// Docker tier: the container routes against the real daemon, with stub-image containers this file creates.
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineApiClient } from '../../src/server/infra/docker/engine-api-client.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { docker, removeTestResources, requireDocker, STUB_IMAGE, testLabels, testRunId } from '../helpers/docker.js';
import { freePort } from '../helpers/server-process.js';

const prefix = `hlrt${testRunId}`;
const network = `${prefix}-${path.basename(import.meta.url, '.test.ts')}`;
let testApp: TestApp;
let plain: Docker.Container;
let tty: Docker.Container;
let hostPort: number;

async function runContainer(
  name: string,
  options: { cmd: string; tty?: boolean; labels?: Record<string, string>; hostPort?: number },
): Promise<Docker.Container> {
  const container = await docker.createContainer({
    name: `${prefix}-${name}`,
    Image: STUB_IMAGE,
    Cmd: ['sh', '-c', options.cmd],
    Tty: options.tty ?? false,
    Labels: testLabels(options.labels),
    ...(options.hostPort ? { ExposedPorts: { '80/tcp': {} } } : {}),
    HostConfig: {
      Init: true,
      NetworkMode: network,
      ...(options.hostPort ? { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(options.hostPort) }] } } : {}),
    },
  });
  await container.start();
  return container;
}

/** Polls a condition Docker reaches asynchronously (log lines are written by the daemon after the process prints). */
async function waitFor<T>(read: () => Promise<T>, isDone: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  await requireDocker();
  // A network of our own: containers do not depend on the default bridge (docker0) being healthy.
  await docker.createNetwork({ Name: network, Labels: testLabels() });
  hostPort = await freePort();
  testApp = await createTestApp({
    docker: new EngineApiClient('unix:///var/run/docker.sock'),
    config: { authEnabled: false, composeProjectPrefix: prefix },
  });
  // A little steady work (a few percent of a core), so every CPU figure has something to measure.
  const work = 'while :; do i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; sleep 0.2; done';
  [plain, tty] = await Promise.all([
    runContainer('plain', {
      cmd: `echo Hello-out; echo err-line >&2; ${work}`,
      labels: { 'com.docker.compose.project': `${prefix}-mediaserver-plex`, 'com.docker.compose.service': 'plex' },
      hostPort,
    }),
    runContainer('tty', { cmd: 'echo Hello-tty; echo tty-err >&2; exec sleep 3600', tty: true }),
  ]);
});

afterAll(async () => {
  await testApp?.close();
  await removeTestResources({ runId: testRunId });
});

describe('containers against the real daemon', () => {
  it('lists the containers with their ports, app and creation time', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/containers' });
    expect(response.statusCode).toBe(200);
    const mine = response.json().containers.find((container: { Id: string }) => container.Id === plain.id);
    expect(mine).toMatchObject({
      Names: [`/${prefix}-plain`],
      Image: STUB_IMAGE,
      State: 'running',
      Ports: `127.0.0.1:${hostPort}->80/tcp`,
      ports: [{ privatePort: 80, publicPort: hostPort, type: 'tcp', ip: '127.0.0.1' }],
      app: { appId: 'mediaserver-plex', project: `${prefix}-mediaserver-plex`, service: 'plex' },
    });
    expect(mine.Status).toMatch(/^Up /);
    expect(Math.abs(mine.Created - Date.now() / 1000)).toBeLessThan(120);
    const ttyRow = response.json().containers.find((container: { Id: string }) => container.Id === tty.id);
    expect(ttyRow.app).toBeNull();
  });

  it('adds real stats with ?stats=true, with CPU from consecutive samples afterwards', async () => {
    // The listing waits 1.2 s for Docker's first sample and answers null beyond that; on a busy
    // machine Docker can take longer, so the sample is awaited rather than expected on the first call.
    const stats = await waitFor(
      async () => {
        const listing = await testApp.app.inject({ method: 'GET', url: '/containers?stats=true' });
        expect(listing.statusCode).toBe(200);
        return listing.json().containers.find((container: { Id: string }) => container.Id === plain.id).stats;
      },
      (value) => value !== null,
      'the first stats sample in the listing',
    );
    expect(stats.memory.usage).toBeGreaterThan(0);
    expect(stats.memory.limit).toBeGreaterThan(stats.memory.usage);
    expect(stats.memory.percentage).toBeGreaterThanOrEqual(0);
    expect(stats.pids).toBeGreaterThanOrEqual(2);
    // The container is on one network: Docker names its interface eth0.
    expect(Object.keys(stats.network)).toEqual(['eth0']);
    expect(stats.network.eth0).toEqual({ rx_bytes: expect.any(Number), tx_bytes: expect.any(Number) });
    expect(stats.networkTotal).toEqual({ rx: stats.network.eth0.rx_bytes, tx: stats.network.eth0.tx_bytes });
    expect(stats.blockIO).toEqual({ read: expect.any(Number), write: expect.any(Number) });
    expect(stats.uptime).toBeGreaterThanOrEqual(0);
    expect(stats.cpu).toBeGreaterThan(0);
    expect(stats.cpu).toBeLessThanOrEqual(100);
    // The next sample arrives about a second later; from then on CPU is the delta of two samples.
    const later = await waitFor(
      async () => (await testApp.app.inject({ method: 'GET', url: `/containers/${plain.id}/stats` })).json().stats,
      (value) => value.sampledAt !== stats.sampledAt,
      'a second stats sample',
    );
    expect(later.cpu).toBeGreaterThan(0);
    expect(later.cpu).toBeLessThan(50);
  });

  it('keeps the first characters of a TTY container log', async () => {
    const body = await waitFor(
      async () => (await testApp.app.inject({ method: 'GET', url: `/containers/${prefix}-tty/logs?timestamps=true` })).json(),
      (value) => value.lines.length >= 2,
      'two TTY log lines',
    );
    expect(body.tty).toBe(true);
    expect(body.lines.map((line: { stream: string; message: string }) => [line.stream, line.message])).toEqual([
      ['stdout', 'Hello-tty'],
      ['stdout', 'tty-err'],
    ]);
    expect(body.lines[0].timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
    expect(body.logs).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z Hello-tty\n\S+ tty-err$/);
  });

  it('keeps stdout and stderr of a non-TTY container apart', async () => {
    const body = await waitFor(
      async () => (await testApp.app.inject({ method: 'GET', url: `/containers/${prefix}-plain/logs` })).json(),
      (value) => value.lines.length >= 2,
      'two log lines',
    );
    expect(body.tty).toBe(false);
    const byStream = Object.fromEntries(body.lines.map((line: { stream: string; message: string }) => [line.message, line.stream]));
    expect(byStream).toEqual({ 'Hello-out': 'stdout', 'err-line': 'stderr' });
    expect(body.logs.split('\n').sort()).toEqual(['Hello-out', 'err-line']);
    const tail = (await testApp.app.inject({ method: 'GET', url: `/containers/${prefix}-plain/logs?tail=1` })).json();
    expect(tail.lines).toHaveLength(1);
  });

  it('stops, starts, restarts and removes a container, idempotently where Docker is', async () => {
    const subject = await runContainer('lifecycle', { cmd: 'exec sleep 3600' });
    const url = `/containers/${prefix}-lifecycle`;
    const { app } = testApp;

    const stop = await app.inject({ method: 'POST', url: `${url}/stop?timeout=1` });
    expect(stop.json()).toEqual({
      success: true,
      message: `Container ${prefix}-lifecycle stopped`,
      containerId: `${prefix}-lifecycle`,
      changed: true,
    });
    expect((await subject.inspect()).State.Running).toBe(false);
    const stopAgain = await app.inject({ method: 'POST', url: `${url}/stop` });
    expect(stopAgain.statusCode).toBe(200);
    expect(stopAgain.json().changed).toBe(false);
    expect((await app.inject({ method: 'GET', url: `${url}/stats` })).json().stats).toBeNull();

    const start = await app.inject({ method: 'POST', url: `${url}/start` });
    expect(start.json().changed).toBe(true);
    const startAgain = await app.inject({ method: 'POST', url: `${url}/start` });
    expect(startAgain.json()).toEqual({
      success: true,
      message: `Container ${prefix}-lifecycle is already running`,
      containerId: `${prefix}-lifecycle`,
      changed: false,
    });

    const startedBefore = (await subject.inspect()).State.StartedAt;
    const restart = await app.inject({ method: 'POST', url: `${url}/restart?timeout=1` });
    expect(restart.statusCode).toBe(200);
    const afterRestart = (await subject.inspect()).State;
    expect(afterRestart.Running).toBe(true);
    expect(afterRestart.StartedAt).not.toBe(startedBefore);

    const refused = await app.inject({ method: 'DELETE', url });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      error: 'Docker refused the change',
      details: expect.stringContaining('You cannot remove a running container'),
      code: 'CONFLICT',
      requestId: expect.any(String),
    });
    const removed = await app.inject({ method: 'DELETE', url: `${url}?force=true&removeVolumes=true` });
    expect(removed.json()).toEqual({
      success: true,
      message: `Container ${prefix}-lifecycle removed`,
      containerId: `${prefix}-lifecycle`,
      changed: true,
    });
    expect((await app.inject({ method: 'GET', url: `${url}/stats` })).statusCode).toBe(404);

    const actions = testApp.ctx.services.activity
      .list({ limit: 50, offset: 0 })
      .activities.filter((entry) => entry.targetName === `${prefix}-lifecycle`)
      .map((entry) => entry.action)
      .reverse();
    expect(actions).toEqual([
      'container.stop',
      'container.stop',
      'container.start',
      'container.start',
      'container.restart',
      'container.remove',
    ]);
  });

  it('answers 404 for an unknown container and 400 for an invalid id', async () => {
    const missing = await testApp.app.inject({ method: 'POST', url: `/containers/${prefix}-never-created/start` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      error: 'Container not found',
      details: `No container has the id or name ${prefix}-never-created`,
      code: 'NOT_FOUND',
      requestId: expect.any(String),
    });
    const invalid = await testApp.app.inject({ method: 'GET', url: '/containers/..%2Ffoo/logs' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().code).toBe('VALIDATION_FAILED');
  });

  it('answers 503 when the Docker socket does not answer', async () => {
    const unreachable = await createTestApp({
      docker: new EngineApiClient(`unix:///tmp/hlr-no-docker-${testRunId}.sock`),
      config: { authEnabled: false, composeProjectPrefix: prefix },
    });
    try {
      for (const [method, url] of [
        ['GET', '/containers?stats=true'],
        ['GET', '/containers/anything/logs'],
        ['POST', '/containers/anything/stop'],
      ] as const) {
        const response = await unreachable.app.inject({ method, url });
        expect(response.statusCode, url).toBe(503);
        expect(response.json(), url).toMatchObject({ error: 'Docker is not reachable', code: 'DOCKER_UNAVAILABLE' });
      }
    } finally {
      await unreachable.close();
    }
  });
});
