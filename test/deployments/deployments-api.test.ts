// API tier: POST /deploy, the runner's state machine and events, status, history, cancel and
// recovery, with Docker and compose faked behind their interfaces.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/server/config.js';
import { DeploymentsRepository } from '../../src/server/modules/deployments/deployments.repository.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { FULL_TRAIL_WITH_LOCAL_IMAGES, storedTrail } from '../helpers/deploy-trail.js';
import { tokenFor } from '../helpers/auth.js';
import { FakeComposeRunner } from '../helpers/fake-compose.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';
import { FakeHostPorts } from '../helpers/fake-host-ports.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');
const STUB = 'hlr-test/busybox:1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Harness = { t: TestApp; docker: FakeDockerEngine; compose: FakeComposeRunner; hostPorts: FakeHostPorts; token: string };

let harness: Harness | null = null;

afterEach(async () => {
  await harness?.t.ctx.services.deployments.settled();
  await harness?.t.close();
  harness = null;
});

async function setup(config: Partial<Config> = {}): Promise<Harness> {
  const docker = new FakeDockerEngine();
  docker.images.add(STUB);
  const compose = new FakeComposeRunner(docker);
  const hostPorts = new FakeHostPorts();
  const t = await createTestApp({
    config: {
      catalogPaths: [FIXTURES],
      composeProjectPrefix: 'hlrt',
      proxyNetwork: 'hlrt-proxy',
      deployVerifyTimeoutSeconds: 3,
      ...config,
    },
    docker,
    composeRunner: compose,
    hostPorts,
  });
  const token = config.authEnabled === false ? '' : await tokenFor(t, 'user');
  harness = { t, docker, compose, hostPorts, token };
  return harness;
}

function auth(h: Harness): Record<string, string> {
  return h.token ? { authorization: `Bearer ${h.token}` } : {};
}

async function deploy(h: Harness, body: Record<string, unknown>) {
  return h.t.app.inject({ method: 'POST', url: '/deploy', headers: auth(h), payload: body });
}

async function deployAndSettle(h: Harness, body: Record<string, unknown>): Promise<string> {
  const response = await deploy(h, body);
  expect(response.statusCode, response.body).toBe(200);
  await h.t.ctx.services.deployments.settled();
  return response.json<{ deploymentId: string }>().deploymentId;
}

async function status(h: Harness, id: string) {
  const response = await h.t.app.inject({ method: 'GET', url: `/deployments/${id}/status`, headers: auth(h) });
  return response.json<{
    deployment: Record<string, unknown> & { status: string; error: string | null; result: Record<string, unknown> | null };
  }>().deployment;
}

async function events(h: Harness, id: string): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const response = await h.t.app.inject({ method: 'GET', url: `/deployments/${id}/events?limit=1000`, headers: auth(h) });
  expect(response.statusCode).toBe(200);
  return response.json<{ events: { event: string; data: Record<string, unknown> }[] }>().events;
}

describe('POST /deploy', () => {
  it('answers at once with exactly the seed fields, then runs every step to a completed deployment', async () => {
    const h = await setup();
    const response = await deploy(h, {
      appId: 'hlrtest-web',
      config: { WEB_PORT: 18111, TZ: 'Europe/Berlin' },
      mode: { type: 'standard' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<Record<string, string>>();
    expect(body).toEqual({
      success: true,
      message: 'hlrtest-web deployment started with real-time progress tracking',
      deploymentId: expect.stringMatching(UUID),
      source: 'cli-streaming',
      appId: 'hlrtest-web',
      streamEndpoint: '/stream/progress',
      statusEndpoint: `/deployments/${body.deploymentId}/status`,
    });
    await h.t.ctx.services.deployments.settled();

    const list = await events(h, body.deploymentId!);
    expect(storedTrail(list)).toEqual(FULL_TRAIL_WITH_LOCAL_IMAGES);
    expect(list.find((item) => item.event === 'pull-progress')?.data).toMatchObject({ image: STUB, percent: 100, status: 'present' });
    expect(list.filter((item) => item.event === 'command-output').map((item) => item.data.output)).toEqual([
      'Container hlrt-hlrtest-web-web-1  Creating',
      'Container hlrt-hlrtest-web-web-1  Started',
    ]);
    expect(list.at(-1)).toEqual({
      id: expect.any(Number),
      event: 'deployment-complete',
      data: {
        deploymentId: body.deploymentId,
        success: true,
        status: 'completed',
        summary: {
          appId: 'hlrtest-web',
          deploymentMode: 'standard',
          completedAt: expect.any(String),
          urls: ['http://localhost:18111'],
          containers: [
            { id: expect.any(String), name: 'hlrt-hlrtest-web-web-1', service: 'web', image: STUB, state: 'running', health: null },
          ],
          error: null,
        },
        completedAt: expect.any(String),
        timestamp: expect.any(String),
      },
    });
    for (const item of list) expect(item.data).toMatchObject({ deploymentId: body.deploymentId, timestamp: expect.any(String) });

    expect(await status(h, body.deploymentId!)).toEqual({
      id: body.deploymentId,
      appId: 'hlrtest-web',
      mode: 'standard',
      status: 'completed',
      step: 'verify',
      progress: 100,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      error: null,
      result: {
        urls: ['http://localhost:18111'],
        ports: [{ service: 'web', containerPort: 8080, hostPort: 18111, protocol: 'tcp' }],
        containers: [expect.objectContaining({ name: 'hlrt-hlrtest-web-web-1', state: 'running' })],
      },
      project: 'hlrt-hlrtest-web',
      isRedeploy: false,
      requestedBy: 'test-user',
    });
  });

  it('writes compose.yaml and a 0600 .env under DATA_DIR/stacks/<appId> with the app and deployment labels', async () => {
    const h = await setup();
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18112 }, mode: { type: 'standard' } });
    const directory = path.join(h.t.dataDir, 'stacks', 'hlrtest-web');
    const compose = readFileSync(path.join(directory, 'compose.yaml'), 'utf8');
    expect(compose).toContain('name: hlrt-hlrtest-web');
    expect(compose).toContain(`homelabarr.deployment-id: ${id}`);
    expect(compose).toContain('homelabarr.app-id: hlrtest-web');
    expect(statSync(path.join(directory, '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(directory, '.env'), 'utf8')).toMatch(/^WEB_PORT='18112'$/m);
    expect(h.compose.calls.map((call) => [call.action, call.project.name, call.project.directory])).toEqual([
      ['up', 'hlrt-hlrtest-web', directory],
    ]);
  });

  it('accepts "local" as an alias of the standard mode', async () => {
    const h = await setup();
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18113 }, mode: { type: 'local' } });
    expect(await status(h, id)).toMatchObject({ mode: 'standard', status: 'completed' });
  });

  it('refuses an unknown app with 404 before a deployment exists', async () => {
    const h = await setup();
    const response = await deploy(h, { appId: 'hlrtest-nope', config: {}, mode: { type: 'standard' } });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: 'App not found',
      details: 'No app with the id hlrtest-nope is in the catalog; GET /applications lists them',
      code: 'NOT_FOUND',
      requestId: expect.any(String),
    });
    expect(h.t.ctx.services.deployments.list({ limit: 10, offset: 0 }).total).toBe(0);
  });

  it('refuses a mode the app does not support with 400', async () => {
    const h = await setup();
    const response = await deploy(h, { appId: 'hlrtest-healthy', config: {}, mode: { type: 'traefik' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Invalid deploy configuration',
      details: 'mode.type: HLR Test Healthy supports standard',
      code: 'VALIDATION_FAILED',
      requestId: expect.any(String),
      fields: [{ path: 'mode.type', message: 'HLR Test Healthy supports standard' }],
    });
  });

  it('refuses an unknown config key and a bad value with 400', async () => {
    const h = await setup();
    const response = await deploy(h, { appId: 'hlrtest-web', config: { NOPE: 'x', WEB_PORT: 'eighty' }, mode: { type: 'standard' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Invalid deploy configuration',
      details:
        'config.NOPE: is not a variable of hlrtest-web; config.WEB_PORT: must be a port number between 1 and 65535. ' +
        'Accepted keys (any letter case): containerName, port_8080, ID, TZ, UMASK, APPFOLDER, MEDIAFOLDER, DOMAIN, RESTARTAPP, WEB_PORT, WEB_SECRET, HLR_TEST_RUN',
      code: 'VALIDATION_FAILED',
      requestId: expect.any(String),
      fields: [
        { path: 'config.NOPE', message: 'is not a variable of hlrtest-web' },
        { path: 'config.WEB_PORT', message: expect.any(String) },
      ],
    });
    expect(h.t.ctx.services.deployments.list({ limit: 10, offset: 0 }).total).toBe(0);
  });

  it('refuses a mode type that does not exist with 400', async () => {
    const h = await setup();
    const response = await deploy(h, { appId: 'hlrtest-web', config: {}, mode: { type: 'swarm' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'Invalid request',
      code: 'VALIDATION_FAILED',
      details: expect.stringContaining('body.mode.type'),
    });
  });

  it('needs a token, and the user role', async () => {
    const h = await setup();
    const anonymous = await h.t.app.inject({ method: 'POST', url: '/deploy', payload: { appId: 'hlrtest-web' } });
    expect(anonymous.statusCode).toBe(401);
    const viewer = await tokenFor(h.t, 'viewer');
    const forbidden = await h.t.app.inject({
      method: 'POST',
      url: '/deploy',
      headers: { authorization: `Bearer ${viewer}` },
      payload: { appId: 'hlrtest-web' },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual({
      error: 'Not allowed',
      details: 'This action needs the user role or higher',
      code: 'FORBIDDEN',
      requestId: expect.any(String),
    });
  });

  it('answers 409 while the same app is deploying, naming the running deployment', async () => {
    const h = await setup();
    h.compose.isUpHanging = true;
    const upStarted = h.compose.nextUp();
    const first = (await deploy(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18114 } })).json<{ deploymentId: string }>().deploymentId;
    await upStarted;
    const second = await deploy(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18114 } });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toEqual({
      error: 'HLR Test Web is already being deployed',
      details: `Deployment ${first} of hlrtest-web has not finished. Follow it at /deployments/${first}/status, or cancel it with POST /deployments/${first}/cancel.`,
      code: 'CONFLICT',
      requestId: expect.any(String),
    });
    const active = await h.t.app.inject({ method: 'GET', url: '/deployments/active', headers: auth(h) });
    expect(active.json()).toEqual({
      success: true,
      deployments: [expect.objectContaining({ id: first, status: 'in-progress', step: 'deploy' })],
    });
    await h.t.app.inject({ method: 'POST', url: `/deployments/${first}/cancel`, headers: auth(h) });
  });

  it('answers 503 when Docker is down, before a deployment exists', async () => {
    const h = await setup();
    h.docker.isUp = false;
    const response = await deploy(h, { appId: 'hlrtest-web', config: {} });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: 'Docker is not reachable',
      details: expect.stringContaining('scripts/setup-host.sh'),
      code: 'DOCKER_UNAVAILABLE',
      requestId: expect.any(String),
    });
    expect(h.t.ctx.services.deployments.list({ limit: 10, offset: 0 }).total).toBe(0);
  });

  it('answers 503 with the fix when no compose CLI is installed', async () => {
    const h = await setup();
    h.compose.info = { available: false, version: null, command: 'docker', baseArgs: ['compose'], isV2: false };
    const response = await deploy(h, { appId: 'hlrtest-web', config: {} });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: 'docker compose is not installed',
      details:
        'Deploys need docker compose v2. Install it with sudo bash scripts/setup-host.sh (Docker Engine and compose v2 from Debian’s archive), or set COMPOSE_BINARY to a docker-compose binary; the server finds it without a restart.',
      code: 'COMPOSE_UNAVAILABLE',
      requestId: expect.any(String),
    });
  });

  it('answers 503 with the fix, and writes nothing, when only compose v1 is installed', async () => {
    const h = await setup();
    h.compose.info = { available: true, version: '1.29.2', command: 'docker-compose', baseArgs: [], isV2: false };
    const response = await deploy(h, { appId: 'hlrtest-web', config: {} });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      error: 'docker-compose 1.29.2 is v1, which cannot deploy',
      details: expect.stringContaining('Deploys need docker compose v2'),
      code: 'COMPOSE_UNAVAILABLE',
    });
    expect(h.t.ctx.services.deployments.list({ limit: 10, offset: 0 }).total).toBe(0);
  });

  it('records deploy.start and deploy.complete in the activity log', async () => {
    const h = await setup();
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18115 } });
    const entries = h.t.ctx.services.activity
      .list({ limit: 10, offset: 0 })
      .activities.filter((entry) => entry.action.startsWith('deploy.'));
    expect(entries.map((entry) => [entry.action, entry.targetName, entry.username, entry.details.deploymentId])).toEqual([
      ['deploy.complete', 'hlrtest-web', 'test-user', id],
      ['deploy.start', 'hlrtest-web', 'test-user', id],
    ]);
  });
});

describe('POST /deploy with the original product’s deploy form', () => {
  /** The config the original dashboard's form sends: environment keys lowercased, port_<containerPort>, domain, containerName. */
  async function formFields(h: Harness, appId: string): Promise<Record<string, string>> {
    const listing = (await h.t.app.inject({ method: 'GET', url: '/applications' })).json<{
      applications: Record<string, { id: string; environment: Record<string, string>; ports: Record<string, number> }[]>;
    }>();
    const app = Object.values(listing.applications)
      .flat()
      .find((candidate) => candidate.id === appId);
    if (!app) throw new Error(`${appId} is not listed`);
    const fields: Record<string, string> = { containerName: '', domain: '' };
    for (const [key, value] of Object.entries(app.environment)) fields[key.toLowerCase()] = String(value);
    for (const [key, value] of Object.entries(app.ports)) fields[`port_${key}`] = String(value);
    return fields;
  }

  it('lists what the form is built from: environment (variable → default) and ports (container port → host port)', async () => {
    const h = await setup();
    expect(await formFields(h, 'hlrtest-web')).toEqual({
      containerName: '',
      domain: '',
      tz: 'UTC',
      restartapp: 'unless-stopped',
      web_secret: '',
      hlr_test_run: 'none',
      port_8080: '18080',
    });
  });

  it('deploys the form’s config: lowercased keys, port_<containerPort>, domain and containerName', async () => {
    const h = await setup();
    const fields = await formFields(h, 'hlrtest-web');
    const config = { ...fields, tz: 'Europe/Berlin', port_8080: '18150', domain: 'lab.example.com', containerName: 'my-web' };
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config, mode: { type: 'local' } });
    expect(await status(h, id)).toMatchObject({
      status: 'completed',
      result: { ports: [{ service: 'web', containerPort: 8080, hostPort: 18150, protocol: 'tcp' }] },
    });
    const stack = path.join(h.t.dataDir, 'stacks', 'hlrtest-web');
    const env = readFileSync(path.join(stack, '.env'), 'utf8');
    for (const line of [
      "TZ='Europe/Berlin'",
      "DOMAIN='lab.example.com'",
      "WEB_PORT='18150'",
      "HLR_TEST_RUN='none'",
      "RESTARTAPP='unless-stopped'",
    ]) {
      expect(env).toContain(line);
    }
    expect(env).toMatch(/^WEB_SECRET='[A-Za-z0-9_-]{32}'$/m);
    expect(readFileSync(path.join(stack, 'compose.yaml'), 'utf8')).toContain('container_name: my-web');
    expect([...h.docker.containers.values()].map((container) => container.name)).toEqual(['my-web']);
  });

  it('answers 400 for two keys that set one variable, before a deployment exists', async () => {
    const h = await setup();
    const response = await deploy(h, { appId: 'hlrtest-web', config: { TZ: 'UTC', tz: 'Europe/Berlin' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Invalid deploy configuration',
      details: 'config.tz: sets TZ, as config.TZ does; give only one of them',
      code: 'VALIDATION_FAILED',
      requestId: expect.any(String),
      fields: [{ path: 'config.tz', message: 'sets TZ, as config.TZ does; give only one of them' }],
    });
    expect(h.t.ctx.services.deployments.list({ limit: 10, offset: 0 }).total).toBe(0);
  });

  it('answers 400 for a key the app does not have, listing the keys it accepts once', async () => {
    const h = await setup();
    const response = await deploy(h, { appId: 'hlrtest-web', config: { enableGpu: 'true', port_9999: '19999' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Invalid deploy configuration',
      details:
        'config.enableGpu: is not a variable of hlrtest-web; config.port_9999: hlrtest-web publishes no container port 9999. ' +
        'Accepted keys (any letter case): containerName, port_8080, ID, TZ, UMASK, APPFOLDER, MEDIAFOLDER, DOMAIN, RESTARTAPP, WEB_PORT, WEB_SECRET, HLR_TEST_RUN',
      code: 'VALIDATION_FAILED',
      requestId: expect.any(String),
      fields: [
        { path: 'config.enableGpu', message: 'is not a variable of hlrtest-web' },
        { path: 'config.port_9999', message: 'hlrtest-web publishes no container port 9999' },
      ],
    });
  });

  it('answers 400 for a containerName Docker would refuse', async () => {
    const h = await setup();
    const response = await deploy(h, { appId: 'hlrtest-web', config: { containerName: '../etc' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Invalid deploy configuration',
      details: 'config.containerName: must be a container name: 2 to 128 letters, digits, _ . or -, starting with a letter or digit',
      code: 'VALIDATION_FAILED',
      requestId: expect.any(String),
      fields: [
        {
          path: 'config.containerName',
          message: 'must be a container name: 2 to 128 letters, digits, _ . or -, starting with a letter or digit',
        },
      ],
    });
  });

  it('answers 409 for a containerName another container has, and writes nothing', async () => {
    const h = await setup();
    h.docker.addContainer({ name: 'plex', image: 'lscr.io/linuxserver/plex:latest', labels: { 'homelabarr.app-id': 'mediaserver-plex' } });
    const response = await deploy(h, { appId: 'hlrtest-web', config: { containerName: 'plex', WEB_PORT: 18151 } });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      error: 'The container name plex is taken',
      details:
        'A container named plex already exists (lscr.io/linuxserver/plex:latest, running, app mediaserver-plex). Choose another containerName, or leave it empty for the default name.',
      code: 'CONFLICT',
      requestId: expect.any(String),
    });
    expect(h.t.ctx.services.deployments.list({ limit: 10, offset: 0 }).total).toBe(0);
    expect(existsSync(path.join(h.t.dataDir, 'stacks', 'hlrtest-web'))).toBe(false);
    expect(h.compose.calls).toEqual([]);
  });

  it('lets a redeploy keep the containerName its own container has', async () => {
    const h = await setup();
    await deployAndSettle(h, { appId: 'hlrtest-web', config: { containerName: 'my-web', WEB_PORT: 18152 } });
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { containerName: 'my-web', WEB_PORT: 18153 } });
    expect(await status(h, id)).toMatchObject({ status: 'completed', isRedeploy: true });
    expect([...h.docker.containers.values()].map((container) => container.name)).toEqual(['my-web']);
  });
});

describe('the deploy runner', () => {
  it('fails at preflight when another container publishes the port, naming it', async () => {
    const h = await setup();
    h.docker.addContainer({
      name: 'other-app',
      labels: { 'homelabarr.app-id': 'mediaserver-plex' },
      ports: [{ privatePort: 80, publicPort: 18120, type: 'tcp', ip: '0.0.0.0' }],
    });
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18120 } });
    const deployment = await status(h, id);
    expect(deployment).toMatchObject({ status: 'failed', step: 'preflight' });
    expect(deployment.error).toBe(
      'Port 18120/tcp (service web) is already published by container other-app of app mediaserver-plex. Choose another host port for the deploy (GET /ports/available finds a free one), or stop what holds it.',
    );
    const list = await events(h, id);
    expect(storedTrail(list).slice(-1)).toEqual(['preflight:failed']);
    expect(list.at(-1)).toMatchObject({
      event: 'deployment-complete',
      data: { success: false, status: 'failed', summary: { error: deployment.error } },
    });
    expect(h.compose.calls).toEqual([]);
  });

  it('fails at preflight when a host program listens on the port', async () => {
    const h = await setup();
    h.hostPorts.sockets = [{ protocol: 'tcp', family: 4, address: '127.0.0.1', port: 18121 }];
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18121 } });
    expect((await status(h, id)).error).toBe(
      'Port 18121/tcp (service web) is already in use by a program on the host listening on 127.0.0.1:18121. Choose another host port for the deploy (GET /ports/available finds a free one), or stop what holds it.',
    );
  });

  it('creates the proxy network for Traefik modes and labels the web service', async () => {
    const h = await setup();
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18122 }, mode: { type: 'authelia' } });
    expect(await status(h, id)).toMatchObject({ status: 'completed', result: { urls: ['https://web.localhost'] } });
    expect(h.docker.networks.get('hlrt-proxy')).toMatchObject({ name: 'hlrt-proxy', labels: { 'homelabarr.managed': 'true' } });
    const container = [...h.docker.containers.values()][0]!;
    expect(container.labels).toMatchObject({
      'traefik.enable': 'true',
      'traefik.docker.network': 'hlrt-proxy',
      'traefik.http.routers.hlrt-hlrtest-web.middlewares': 'chain-authelia@file',
    });
    const preflight = (await events(h, id)).find(
      (item) => item.event === 'deployment-step' && item.data.step === 'preflight' && item.data.status === 'completed',
    );
    expect(preflight?.data.details).toMatchObject({ proxyNetwork: 'hlrt-proxy', networkCreated: true });
  });

  it('fails with the fix when the proxy network is missing and may not be created', async () => {
    const h = await setup({ autoCreateProxyNetwork: false });
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18123 }, mode: { type: 'traefik' } });
    expect(await status(h, id)).toMatchObject({
      status: 'failed',
      error:
        'The Docker network "hlrt-proxy" that Traefik watches does not exist. Create it (docker network create hlrt-proxy) and start Traefik on it, or set AUTO_CREATE_PROXY_NETWORK=true.',
    });
    expect(h.docker.networks.size).toBe(0);
  });

  it('pulls a missing image with per-layer byte progress up to 100 percent', async () => {
    const h = await setup();
    h.docker.images.clear();
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18124 } });
    expect(h.docker.pulls).toEqual([STUB]);
    const progress = (await events(h, id)).filter((item) => item.event === 'pull-progress').map((item) => item.data);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toMatchObject({
      image: STUB,
      percent: 100,
      bytesDone: 4000,
      bytesTotal: 4000,
      status: 'complete',
      layers: {
        aaaaaaaaaaaa: { status: 'Pull complete', current: 1000, total: 1000 },
        bbbbbbbbbbbb: { status: 'Pull complete', current: 3000, total: 3000 },
      },
    });
    const percents = progress.map((item) => item.percent as number);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  });

  it('fails with the registry reason when an image cannot be pulled', async () => {
    const h = await setup();
    h.docker.images.clear();
    h.docker.pullScripts.set(STUB, { failure: 'manifest for hlr-test/busybox:1 not found: manifest unknown' });
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18125 } });
    expect(await status(h, id)).toMatchObject({
      status: 'failed',
      step: 'pull',
      error:
        'The image hlr-test/busybox:1 could not be pulled: manifest for hlr-test/busybox:1 not found: manifest unknown. Check the image name and tag, and that this machine can reach its registry.',
    });
  });

  it('fails with compose’s own last lines when docker compose up exits non-zero', async () => {
    const h = await setup();
    h.compose.upFailure = {
      exitCode: 1,
      stderr: ['Error response from daemon: driver failed programming external connectivity: port is already allocated'],
    };
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18126 } });
    expect(await status(h, id)).toMatchObject({
      status: 'failed',
      step: 'deploy',
      error:
        'docker compose up exited with code 1:\nError response from daemon: driver failed programming external connectivity: port is already allocated',
    });
  });

  it('fails verification of an unhealthy container with its last log lines as the reason', async () => {
    const h = await setup();
    h.compose.containerFields = {
      health: 'unhealthy',
      logs: [{ stream: 'stderr', timestamp: '2024-01-01T00:00:00Z', message: 'config file /config/app.ini is missing' }],
    };
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18127 } });
    expect(await status(h, id)).toMatchObject({
      status: 'failed',
      step: 'verify',
      error: 'Container hlrt-hlrtest-web-web-1 (service web) is unhealthy. Last log lines:\nconfig file /config/app.ini is missing',
    });
    expect(h.t.ctx.services.activity.list({ limit: 5, offset: 0 }).activities[0]).toMatchObject({
      action: 'deploy.fail',
      targetName: 'hlrtest-web',
    });
  });

  it('fails verification of a container that exited', async () => {
    const h = await setup();
    h.compose.containerFields = { state: 'exited', exitCode: 3 };
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18128 } });
    expect((await status(h, id)).error).toBe('Container hlrt-hlrtest-web-web-1 (service web) exited with code 3. It wrote no log lines.');
  });

  it('fails verification when a container stays in its health check past the verify timeout', async () => {
    const h = await setup({ deployVerifyTimeoutSeconds: 1 });
    h.compose.containerFields = { health: 'starting' };
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18129 } });
    expect((await status(h, id)).error).toBe(
      'Container hlrt-hlrtest-web-web-1 (service web) did not become ready within 1 s (hlrt-hlrtest-web-web-1 is starting (health check pending)). It wrote no log lines.',
    );
  });

  it('fails a step that runs past DEPLOY_STEP_TIMEOUT', async () => {
    const h = await setup({ deployStepTimeoutSeconds: 1 });
    h.compose.isUpHanging = true;
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18130 } });
    expect(await status(h, id)).toMatchObject({ status: 'failed', step: 'deploy', error: 'The deploy step did not finish within 1 s' });
  });

  it('cancels a running deployment and removes what a first deploy created', async () => {
    const h = await setup();
    h.compose.isUpHanging = true;
    const upStarted = h.compose.nextUp();
    const id = (await deploy(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18131 } })).json<{ deploymentId: string }>().deploymentId;
    await upStarted;
    const response = await h.t.app.inject({ method: 'POST', url: `/deployments/${id}/cancel`, headers: auth(h) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      message: `Deployment ${id} is cancelled`,
      deployment: expect.objectContaining({ id, status: 'cancelled', error: 'Cancelled by test-user', finishedAt: expect.any(String) }),
    });
    expect(h.compose.calls.map((call) => call.action)).toEqual(['up', 'down']);
    const list = await events(h, id);
    expect(storedTrail(list).slice(-2)).toEqual(['deploy:started', 'deploy:failed']);
    expect(list.at(-1)).toMatchObject({
      event: 'deployment-complete',
      data: { success: false, status: 'cancelled', summary: { error: 'Cancelled by test-user' } },
    });

    const again = await h.t.app.inject({ method: 'POST', url: `/deployments/${id}/cancel`, headers: auth(h) });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({
      error: 'Deployment already finished',
      details: `Deployment ${id} is cancelled; only queued and in-progress deployments can be cancelled`,
      code: 'CONFLICT',
      requestId: expect.any(String),
    });
  });

  it('updates a deployed app in place: pulls again and keeps its generated secret', async () => {
    const h = await setup();
    await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18132 } });
    const envFile = path.join(h.t.dataDir, 'stacks', 'hlrtest-web', '.env');
    const secret = /^WEB_SECRET='(.+)'$/m.exec(readFileSync(envFile, 'utf8'))?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const id = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18133 } });
    expect(await status(h, id)).toMatchObject({ status: 'completed', isRedeploy: true, result: { urls: ['http://localhost:18133'] } });
    expect(h.docker.pulls).toEqual([STUB]);
    expect(readFileSync(envFile, 'utf8')).toContain(`WEB_SECRET='${secret}'`);
    expect([...h.docker.containers.values()].map((container) => container.name)).toEqual(['hlrt-hlrtest-web-web-1']);
  });
});

describe('deployment queries', () => {
  it('pages the history newest first and filters it by app and status', async () => {
    const h = await setup();
    const first = await deployAndSettle(h, { appId: 'hlrtest-web', config: { WEB_PORT: 18140 } });
    const second = await deployAndSettle(h, { appId: 'hlrtest-healthy', config: { HEALTHY_PORT: 18141 } });
    const page = await h.t.app.inject({ method: 'GET', url: '/deployments?limit=1&offset=0', headers: auth(h) });
    expect(page.json()).toEqual({ success: true, deployments: [expect.objectContaining({ id: second })], total: 2, limit: 1, offset: 0 });
    const next = await h.t.app.inject({ method: 'GET', url: '/deployments?limit=1&offset=1', headers: auth(h) });
    expect(next.json()).toMatchObject({ deployments: [{ id: first }], total: 2 });
    const filtered = await h.t.app.inject({ method: 'GET', url: '/deployments?appId=hlrtest-web&status=completed', headers: auth(h) });
    expect(filtered.json()).toMatchObject({ deployments: [{ id: first }], total: 1 });
    const active = await h.t.app.inject({ method: 'GET', url: '/deployments/active', headers: auth(h) });
    expect(active.json()).toEqual({ success: true, deployments: [] });
  });

  it('answers 404 for an unknown deployment and 400 for a malformed id', async () => {
    const h = await setup();
    const unknown = await h.t.app.inject({
      method: 'GET',
      url: '/deployments/00000000-0000-4000-8000-000000000000/status',
      headers: auth(h),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error: 'Deployment not found',
      details: 'No deployment has the id 00000000-0000-4000-8000-000000000000',
      code: 'NOT_FOUND',
      requestId: expect.any(String),
    });
    const malformed = await h.t.app.inject({ method: 'GET', url: '/deployments/..%2F..%2Fetc/status', headers: auth(h) });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: expect.stringContaining('params.deploymentId') });
  });

  it('marks deployments a previous process left unfinished as interrupted, with what Docker runs', async () => {
    const h = await setup();
    const repository = new DeploymentsRepository(h.t.db);
    const id = '11111111-1111-4111-8111-111111111111';
    repository.create({
      id,
      appId: 'hlrtest-web',
      mode: 'standard',
      project: 'hlrt-hlrtest-web',
      isRedeploy: false,
      userId: null,
      username: null,
      configKeys: [],
      startedAt: new Date().toISOString(),
    });
    repository.update(id, { status: 'in-progress', step: 'deploy', progress: 60 }, new Date().toISOString());
    h.docker.addContainer({
      name: 'hlrt-hlrtest-web-web-1',
      labels: { 'com.docker.compose.project': 'hlrt-hlrtest-web', 'com.docker.compose.service': 'web' },
    });

    const recovered = await h.t.ctx.services.deployments.recoverInterrupted();
    expect(recovered.map((deployment) => deployment.id)).toEqual([id]);
    const reason =
      'The server stopped while this deployment was at the deploy step. Its containers are running: hlrt-hlrtest-web-web-1. Deploy the app again to finish it.';
    expect(await status(h, id)).toMatchObject({
      status: 'interrupted',
      error: reason,
      result: { urls: [], ports: [], containers: [expect.objectContaining({ name: 'hlrt-hlrtest-web-web-1', state: 'running' })] },
    });
    expect(storedTrail(await events(h, id))).toEqual(['deploy:failed']);
    expect((await events(h, id)).at(-1)).toMatchObject({ event: 'deployment-complete', data: { success: false, status: 'interrupted' } });
  });
});
