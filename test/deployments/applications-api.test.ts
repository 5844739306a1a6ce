// API tier: stop, remove and logs of a deployed app, on its own compose project (fakes for Docker and compose).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { tokenFor } from '../helpers/auth.js';
import { FakeComposeRunner } from '../helpers/fake-compose.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';
import { FakeHostPorts } from '../helpers/fake-host-ports.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');

type Harness = { t: TestApp; docker: FakeDockerEngine; compose: FakeComposeRunner; headers: Record<string, string> };
let harness: Harness | null = null;

afterEach(async () => {
  await harness?.t.ctx.services.deployments.settled();
  await harness?.t.close();
  harness = null;
});

async function setup(): Promise<Harness> {
  const docker = new FakeDockerEngine();
  docker.images.add('hlr-test/busybox:1');
  const compose = new FakeComposeRunner(docker);
  const t = await createTestApp({
    config: { catalogPaths: [FIXTURES], composeProjectPrefix: 'hlrt', deployVerifyTimeoutSeconds: 3 },
    docker,
    composeRunner: compose,
    hostPorts: new FakeHostPorts(),
  });
  harness = { t, docker, compose, headers: { authorization: `Bearer ${await tokenFor(t, 'user')}` } };
  return harness;
}

async function deployWeb(h: Harness, port: number): Promise<void> {
  const response = await h.t.app.inject({
    method: 'POST',
    url: '/deploy',
    headers: h.headers,
    payload: { appId: 'hlrtest-web', config: { WEB_PORT: port } },
  });
  expect(response.statusCode).toBe(200);
  await h.t.ctx.services.deployments.settled();
}

describe('POST /applications/:appId/stop', () => {
  it("stops the app's own project and lists its containers", async () => {
    const h = await setup();
    await deployWeb(h, 18301);
    h.docker.addContainer({ name: 'look-alike-web-1', labels: { 'com.docker.compose.project': 'hlrt-hlrtest-web-2' } });
    const response = await h.t.app.inject({ method: 'POST', url: '/applications/hlrtest-web/stop', headers: h.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      message: 'hlrtest-web stopped (1 container(s))',
      appId: 'hlrtest-web',
      containers: [
        {
          id: expect.any(String),
          name: 'hlrt-hlrtest-web-web-1',
          service: 'web',
          image: 'hlr-test/busybox:1',
          state: 'exited',
          health: null,
        },
      ],
    });
    expect(h.compose.calls.at(-1)).toMatchObject({ action: 'stop', project: { name: 'hlrt-hlrtest-web' } });
    expect([...h.docker.containers.values()].find((container) => container.name === 'look-alike-web-1')?.state).toBe('running');
    expect(h.t.ctx.services.activity.list({ limit: 1, offset: 0 }).activities[0]).toMatchObject({
      action: 'app.stop',
      targetName: 'hlrtest-web',
      username: 'test-user',
    });
  });

  it('answers 404 for an app that is not deployed', async () => {
    const h = await setup();
    const response = await h.t.app.inject({ method: 'POST', url: '/applications/hlrtest-web/stop', headers: h.headers });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: 'App not deployed',
      details: 'hlrtest-web has no compose project (hlrt-hlrtest-web) on this server; deploy it first with POST /deploy',
      code: 'NOT_FOUND',
      requestId: expect.any(String),
    });
  });

  it('answers 409 while the app is being deployed', async () => {
    const h = await setup();
    h.compose.isUpHanging = true;
    const upStarted = h.compose.nextUp();
    const started = await h.t.app.inject({
      method: 'POST',
      url: '/deploy',
      headers: h.headers,
      payload: { appId: 'hlrtest-web', config: { WEB_PORT: 18302 } },
    });
    const deploymentId = started.json<{ deploymentId: string }>().deploymentId;
    await upStarted;
    const response = await h.t.app.inject({ method: 'POST', url: '/applications/hlrtest-web/stop', headers: h.headers });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      error: 'hlrtest-web is being deployed',
      details: `Deployment ${deploymentId} of hlrtest-web has not finished. Follow it at /deployments/${deploymentId}/status, or cancel it with POST /deployments/${deploymentId}/cancel.`,
      code: 'CONFLICT',
      requestId: expect.any(String),
    });
    await h.t.app.inject({ method: 'POST', url: `/deployments/${deploymentId}/cancel`, headers: h.headers });
  });

  it('rejects an app id that could reach outside the stacks folder', async () => {
    const h = await setup();
    const response = await h.t.app.inject({ method: 'POST', url: '/applications/..%2F..%2Fetc/stop', headers: h.headers });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Invalid request',
      details: 'params.appId: must be an app id such as mediaserver-plex',
      code: 'VALIDATION_FAILED',
      requestId: expect.any(String),
      fields: [{ path: 'params.appId', message: 'must be an app id such as mediaserver-plex' }],
    });
  });

  it('needs a token', async () => {
    const h = await setup();
    const response = await h.t.app.inject({ method: 'POST', url: '/applications/hlrtest-web/stop' });
    expect(response.statusCode).toBe(401);
  });
});

describe('DELETE /applications/:appId', () => {
  it('takes the project down, deletes the rendered files and says whether volumes went too', async () => {
    const h = await setup();
    await deployWeb(h, 18303);
    const stack = path.join(h.t.dataDir, 'stacks', 'hlrtest-web');
    expect(existsSync(stack)).toBe(true);
    const response = await h.t.app.inject({ method: 'DELETE', url: '/applications/hlrtest-web?removeVolumes=true', headers: h.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      message: 'hlrtest-web removed with its volumes; its data under APPFOLDER was kept',
      appId: 'hlrtest-web',
      removedVolumes: true,
    });
    expect(h.compose.calls.at(-1)).toMatchObject({
      action: 'down',
      removeVolumes: true,
      project: { name: 'hlrt-hlrtest-web', directory: stack },
    });
    expect(existsSync(stack)).toBe(false);
    expect(h.docker.containers.size).toBe(0);
    const again = await h.t.app.inject({ method: 'DELETE', url: '/applications/hlrtest-web', headers: h.headers });
    expect(again.statusCode).toBe(404);
  });

  it('keeps volumes unless asked', async () => {
    const h = await setup();
    await deployWeb(h, 18304);
    const response = await h.t.app.inject({ method: 'DELETE', url: '/applications/hlrtest-web', headers: h.headers });
    expect(response.json()).toMatchObject({ removedVolumes: false, message: 'hlrtest-web removed; its data under APPFOLDER was kept' });
    expect(h.compose.calls.at(-1)).toMatchObject({ action: 'down', removeVolumes: false });
    expect(h.t.ctx.services.activity.list({ limit: 1, offset: 0 }).activities[0]).toMatchObject({
      action: 'app.remove',
      targetName: 'hlrtest-web',
    });
  });
});

describe('DELETE /applications/:appId with only compose v1', () => {
  it('removes the containers one by one instead of running a compose that cannot read the files', async () => {
    const h = await setup();
    await deployWeb(h, 18305);
    expect(h.docker.containers.size).toBe(1);
    h.compose.info = { available: true, version: '1.29.2', command: 'docker-compose', baseArgs: [], isV2: false };
    const callsBefore = h.compose.calls.length;
    const response = await h.t.app.inject({ method: 'DELETE', url: '/applications/hlrtest-web', headers: h.headers });
    expect(response.statusCode).toBe(200);
    expect(h.compose.calls.slice(callsBefore).filter((call) => call.action === 'down')).toEqual([]);
    expect(h.docker.containers.size).toBe(0);
    expect(existsSync(path.join(h.t.dataDir, 'stacks', 'hlrtest-web'))).toBe(false);
  });
});

describe('GET /applications/:appId/logs', () => {
  it("merges the project's containers' lines by time, with service and stream", async () => {
    const h = await setup();
    h.compose.containerFields = {
      logs: [
        { stream: 'stdout', timestamp: '2024-01-01T00:00:01.000000000Z', message: 'listening on :8080' },
        { stream: 'stderr', timestamp: '2024-01-01T00:00:03.000000000Z', message: 'GET / 200' },
      ],
    };
    await deployWeb(h, 18305);
    h.docker.addContainer({
      name: 'hlrt-hlrtest-web-sidecar-1',
      labels: { 'com.docker.compose.project': 'hlrt-hlrtest-web', 'com.docker.compose.service': 'sidecar' },
      logs: [{ stream: 'stdout', timestamp: '2024-01-01T00:00:02.000000000Z', message: 'sidecar ready' }],
    });
    const response = await h.t.app.inject({ method: 'GET', url: '/applications/hlrtest-web/logs?lines=2', headers: h.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      appId: 'hlrtest-web',
      logs: 'sidecar | sidecar ready\nweb | GET / 200',
      entries: [
        {
          service: 'sidecar',
          container: 'hlrt-hlrtest-web-sidecar-1',
          timestamp: '2024-01-01T00:00:02.000000000Z',
          stream: 'stdout',
          message: 'sidecar ready',
        },
        {
          service: 'web',
          container: 'hlrt-hlrtest-web-web-1',
          timestamp: '2024-01-01T00:00:03.000000000Z',
          stream: 'stderr',
          message: 'GET / 200',
        },
      ],
    });
  });

  it('refuses a line count out of range with 400', async () => {
    const h = await setup();
    const response = await h.t.app.inject({ method: 'GET', url: '/applications/hlrtest-web/logs?lines=0', headers: h.headers });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: expect.stringContaining('querystring.lines') });
  });
});
