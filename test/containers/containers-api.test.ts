// Api tier: the container routes against FakeDockerEngine (routes, validation, errors, auth, activity).
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, tokenFor } from '../helpers/auth.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';

let testApp: TestApp | undefined;
afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

async function openApp(docker: FakeDockerEngine, authEnabled = false): Promise<TestApp> {
  testApp = await createTestApp({ docker, config: { authEnabled, composeProjectPrefix: 'hlr' } });
  return testApp;
}

function dockerWithContainers(): FakeDockerEngine {
  const docker = new FakeDockerEngine();
  docker.addContainer({
    id: 'a1'.repeat(32),
    name: 'plex',
    image: 'lscr.io/linuxserver/plex:latest',
    labels: { 'com.docker.compose.project': 'hlr-mediaserver-plex', 'com.docker.compose.service': 'plex' },
    ports: [
      { privatePort: 32400, publicPort: 32400, type: 'tcp', ip: '0.0.0.0' },
      { privatePort: 32400, publicPort: 32400, type: 'tcp', ip: '::' },
      { privatePort: 1900, publicPort: null, type: 'udp', ip: null },
    ],
  });
  docker.addContainer({
    id: 'b2'.repeat(32),
    name: 'sonarr',
    state: 'exited',
    labels: {
      'com.docker.compose.project': 'hlr-sonarr',
      'com.docker.compose.service': 'sonarr',
      'homelabarr.app-id': 'mediamanager-sonarr',
    },
  });
  docker.addContainer({ id: 'c3'.repeat(32), name: 'handmade', labels: { 'com.docker.compose.project': 'other-stack' } });
  return docker;
}

const invalidIdBody = (field = 'params.id') => ({
  error: 'Invalid request',
  details: `${field}: must be a container id or name (letters, digits, _ . -)`,
  code: 'VALIDATION_FAILED',
  requestId: expect.any(String),
  fields: [{ path: field, message: 'must be a container id or name (letters, digits, _ . -)' }],
});

describe('GET /containers', () => {
  it('lists every container with the docker ps Ports string, structured ports and its app', async () => {
    const { app } = await openApp(dockerWithContainers());
    const response = await app.inject({ method: 'GET', url: '/containers' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.success).toBe(true);
    expect(body.docker).toEqual({ status: 'connected', message: 'Docker Engine API' });
    expect(body.containers).toHaveLength(3);
    const [plex, sonarr, handmade] = body.containers;
    expect(plex).toMatchObject({
      Id: 'a1'.repeat(32),
      Names: ['/plex'],
      Image: 'lscr.io/linuxserver/plex:latest',
      State: 'running',
      Status: 'Up About a minute',
      Ports: '1900/udp, 0.0.0.0:32400->32400/tcp, [::]:32400->32400/tcp',
      Created: 1_700_000_000,
      app: { appId: 'mediaserver-plex', project: 'hlr-mediaserver-plex', service: 'plex' },
    });
    expect(plex.ports).toEqual([
      { privatePort: 32400, publicPort: 32400, type: 'tcp', ip: '0.0.0.0' },
      { privatePort: 32400, publicPort: 32400, type: 'tcp', ip: '::' },
      { privatePort: 1900, publicPort: null, type: 'udp', ip: null },
    ]);
    expect(plex.stats).toBeUndefined();
    expect(sonarr.app).toEqual({ appId: 'mediamanager-sonarr', project: 'hlr-sonarr', service: 'sonarr' });
    expect(sonarr.Ports).toBe('');
    expect(handmade.app).toBeNull();
  });

  it('adds live stats to running containers and null to stopped ones with ?stats=true', async () => {
    const docker = dockerWithContainers();
    const { app } = await openApp(docker);
    const response = await app.inject({ method: 'GET', url: '/containers?stats=true' });
    expect(response.statusCode).toBe(200);
    const [plex, sonarr] = response.json().containers;
    expect(plex.stats).toMatchObject({
      memory: { usage: 50 * 1024 * 1024, limit: 1024 * 1024 * 1024, percentage: 4.88 },
      network: { eth0: { rx_bytes: 1000, tx_bytes: 500 } },
      networkTotal: { rx: 1000, tx: 500 },
      blockIO: { read: 0, write: 0 },
      pids: 2,
      onlineCpus: 2,
    });
    expect(plex.stats.cpu).toBeGreaterThanOrEqual(0);
    expect(plex.stats.uptime).toBeGreaterThanOrEqual(59);
    expect(sonarr.stats).toBeNull();
    expect(docker.openStatsStreams).toBe(2);
  });

  it('reports CPU from consecutive samples once a stream has two', async () => {
    const docker = dockerWithContainers();
    const { app } = await openApp(docker);
    await app.inject({ method: 'GET', url: '/containers?stats=true' });
    await new Promise((resolve) => setTimeout(resolve, docker.statsIntervalMs * 3));
    const plex = (await app.inject({ method: 'GET', url: '/containers?stats=true' })).json().containers[0];
    // 10 ms of CPU per tick against 2 s of host CPU per tick (two CPUs): 0.5 % of the host.
    expect(plex.stats.cpu).toBe(0.5);
  });

  it('rejects a stats flag that is not a boolean', async () => {
    const { app } = await openApp(dockerWithContainers());
    const response = await app.inject({ method: 'GET', url: '/containers?stats=yes-please' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Invalid request',
      details: 'querystring.stats: must be true or false',
      code: 'VALIDATION_FAILED',
      requestId: expect.any(String),
      fields: [{ path: 'querystring.stats', message: 'must be true or false' }],
    });
  });

  it('answers 503 when Docker is down and 200 again once it is back', async () => {
    const docker = dockerWithContainers();
    docker.isUp = false;
    const { app } = await openApp(docker);
    const down = await app.inject({ method: 'GET', url: '/containers' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({
      error: 'Docker is not reachable',
      details:
        'The Docker daemon did not answer (fake: down). Start Docker (scripts/setup-host.sh installs and starts Docker Engine and compose v2) and retry; the server reconnects by itself.',
      code: 'DOCKER_UNAVAILABLE',
      requestId: expect.any(String),
    });
    docker.isUp = true;
    expect((await app.inject({ method: 'GET', url: '/containers' })).statusCode).toBe(200);
  });
});

describe('GET /containers/:id/stats', () => {
  it('answers the stats of a running container by name', async () => {
    const { app } = await openApp(dockerWithContainers());
    const response = await app.inject({ method: 'GET', url: '/containers/plex/stats' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      success: true,
      containerId: 'plex',
      stats: { pids: 2, network: { eth0: { rx_bytes: 1000, tx_bytes: 500 } } },
    });
  });

  it('answers the fields the original’s ContainerStats reads: cpu, memory, network by interface, uptime', async () => {
    const { app } = await openApp(dockerWithContainers());
    const { stats } = (await app.inject({ method: 'GET', url: '/containers/plex/stats' })).json();
    expect(stats).toMatchObject({
      cpu: expect.any(Number),
      memory: { usage: 50 * 1024 * 1024, limit: 1024 * 1024 * 1024, percentage: 4.88 },
      network: { eth0: { rx_bytes: 1000, tx_bytes: 500 } },
      uptime: expect.any(Number),
    });
    // The original sums Object.values(network): every value is an {rx_bytes, tx_bytes} of numbers.
    for (const counters of Object.values(stats.network as Record<string, unknown>)) {
      expect(counters).toEqual({ rx_bytes: expect.any(Number), tx_bytes: expect.any(Number) });
    }
  });

  it('answers null stats for a stopped container', async () => {
    const { app } = await openApp(dockerWithContainers());
    const response = await app.inject({ method: 'GET', url: '/containers/sonarr/stats' });
    expect(response.json()).toEqual({ success: true, containerId: 'sonarr', stats: null });
  });

  it('answers 404 for an unknown container', async () => {
    const { app } = await openApp(dockerWithContainers());
    const response = await app.inject({ method: 'GET', url: '/containers/nothing-here/stats' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: 'Container not found',
      details: 'No container has the id or name nothing-here',
      code: 'NOT_FOUND',
      requestId: expect.any(String),
    });
  });

  it('rejects an encoded path traversal as an id with 400', async () => {
    const docker = dockerWithContainers();
    const { app } = await openApp(docker);
    const response = await app.inject({ method: 'GET', url: '/containers/..%2Ffoo/stats' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(invalidIdBody());
    expect(docker.statsStreamsOpened).toBe(0);
  });
});

describe('GET /containers/:id/logs', () => {
  function dockerWithLogs(): FakeDockerEngine {
    const docker = dockerWithContainers();
    docker.addContainer({
      name: 'talker',
      logs: [
        { stream: 'stdout', timestamp: '2025-01-15T10:00:00.000000001Z', message: 'first line' },
        { stream: 'stderr', timestamp: '2025-01-15T10:00:01.000000001Z', message: 'a warning' },
        { stream: 'stdout', timestamp: '2025-01-15T10:00:02.000000001Z', message: 'third line' },
      ],
    });
    return docker;
  }

  it('answers the lines with their streams and the joined text', async () => {
    const { app } = await openApp(dockerWithLogs());
    const response = await app.inject({ method: 'GET', url: '/containers/talker/logs' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      containerId: 'talker',
      tty: false,
      logs: 'first line\na warning\nthird line',
      lines: [
        { stream: 'stdout', timestamp: '2025-01-15T10:00:00.000000001Z', message: 'first line' },
        { stream: 'stderr', timestamp: '2025-01-15T10:00:01.000000001Z', message: 'a warning' },
        { stream: 'stdout', timestamp: '2025-01-15T10:00:02.000000001Z', message: 'third line' },
      ],
    });
  });

  it('prefixes the text with timestamps and keeps only the tail when asked', async () => {
    const { app } = await openApp(dockerWithLogs());
    const response = await app.inject({ method: 'GET', url: '/containers/talker/logs?tail=2&timestamps=true' });
    expect(response.json().logs).toBe('2025-01-15T10:00:01.000000001Z a warning\n2025-01-15T10:00:02.000000001Z third line');
  });

  it('keeps only lines after since, given as an RFC 3339 time', async () => {
    const { app } = await openApp(dockerWithLogs());
    const response = await app.inject({ method: 'GET', url: '/containers/talker/logs?since=2025-01-15T10:00:01Z' });
    expect(response.json().logs).toBe('a warning\nthird line');
  });

  it('rejects a tail beyond 10000 and a since that is no time', async () => {
    const { app } = await openApp(dockerWithLogs());
    const tail = await app.inject({ method: 'GET', url: '/containers/talker/logs?tail=10001' });
    expect(tail.statusCode).toBe(400);
    expect(tail.json()).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: 'querystring.tail' }] });
    const since = await app.inject({ method: 'GET', url: '/containers/talker/logs?since=yesterday' });
    expect(since.statusCode).toBe(400);
    expect(since.json()).toEqual({
      error: 'Invalid request',
      details: 'querystring.since: must be Unix seconds, an RFC 3339 time or a duration such as 10m, 2h, 1d',
      code: 'VALIDATION_FAILED',
      requestId: expect.any(String),
      fields: [{ path: 'querystring.since', message: 'must be Unix seconds, an RFC 3339 time or a duration such as 10m, 2h, 1d' }],
    });
  });

  it('answers 404 for an unknown container', async () => {
    const { app } = await openApp(dockerWithLogs());
    const response = await app.inject({ method: 'GET', url: '/containers/ghost/logs' });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('NOT_FOUND');
  });
});

describe('container actions', () => {
  it('starts a stopped container, and answers 200 again when it already runs', async () => {
    const docker = dockerWithContainers();
    const { app } = await openApp(docker);
    const first = await app.inject({ method: 'POST', url: '/containers/sonarr/start' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ success: true, message: 'Container sonarr started', containerId: 'sonarr', changed: true });
    const second = await app.inject({ method: 'POST', url: '/containers/sonarr/start' });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ success: true, message: 'Container sonarr is already running', containerId: 'sonarr', changed: false });
  });

  it('stops with the given timeout, and answers 200 when already stopped', async () => {
    const docker = dockerWithContainers();
    const { app } = await openApp(docker);
    const stop = await app.inject({ method: 'POST', url: '/containers/plex/stop?timeout=3' });
    expect(stop.json()).toEqual({ success: true, message: 'Container plex stopped', containerId: 'plex', changed: true });
    expect(docker.actions).toEqual([{ action: 'stop', id: 'a1'.repeat(32), options: { timeoutSeconds: 3 } }]);
    const again = await app.inject({ method: 'POST', url: '/containers/plex/stop' });
    expect(again.json()).toEqual({ success: true, message: 'Container plex is already stopped', containerId: 'plex', changed: false });
  });

  it('rejects a negative stop timeout', async () => {
    const { app } = await openApp(dockerWithContainers());
    const response = await app.inject({ method: 'POST', url: '/containers/plex/stop?timeout=-1' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: 'querystring.timeout' }] });
  });

  it('restarts a container', async () => {
    const docker = dockerWithContainers();
    const { app } = await openApp(docker);
    const response = await app.inject({ method: 'POST', url: '/containers/plex/restart' });
    expect(response.json()).toEqual({ success: true, message: 'Container plex restarted', containerId: 'plex', changed: true });
    expect(docker.actions.map((action) => action.action)).toEqual(['restart']);
  });

  it('answers 409 for removing a running container without force, and removes it with force', async () => {
    const docker = dockerWithContainers();
    const { app } = await openApp(docker);
    const refused = await app.inject({ method: 'DELETE', url: '/containers/plex' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      error: 'Docker refused the change',
      details: `You cannot remove a running container ${'a1'.repeat(32)}. Stop the container before attempting removal or force remove`,
      code: 'CONFLICT',
      requestId: expect.any(String),
    });
    const removed = await app.inject({ method: 'DELETE', url: '/containers/plex?force=true&removeVolumes=true' });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ success: true, message: 'Container plex removed', containerId: 'plex', changed: true });
    expect(docker.actions).toEqual([{ action: 'remove', id: 'a1'.repeat(32), options: { force: true, removeVolumes: true } }]);
    expect((await app.inject({ method: 'DELETE', url: '/containers/plex' })).statusCode).toBe(404);
  });

  it('rejects invalid ids before anything reaches Docker', async () => {
    const docker = dockerWithContainers();
    const { app } = await openApp(docker);
    for (const url of ['/containers/..%2Ffoo/start', '/containers/-rf/stop', `/containers/${'x'.repeat(129)}/restart`]) {
      const response = await app.inject({ method: 'POST', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toEqual(invalidIdBody());
    }
    const removal = await app.inject({ method: 'DELETE', url: '/containers/a%20b' });
    expect(removal.json()).toEqual(invalidIdBody());
    expect(docker.actions).toEqual([]);
  });

  it('answers 503 for an action while Docker is down', async () => {
    const docker = dockerWithContainers();
    docker.isUp = false;
    const { app } = await openApp(docker);
    const response = await app.inject({ method: 'POST', url: '/containers/plex/restart' });
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('DOCKER_UNAVAILABLE');
  });

  it('writes each action to the activity log', async () => {
    const { app, ctx } = await openApp(dockerWithContainers());
    await app.inject({ method: 'POST', url: '/containers/plex/stop?timeout=1' });
    await app.inject({ method: 'DELETE', url: '/containers/sonarr' });
    const entries = ctx.services.activity
      .list({ limit: 10, offset: 0 })
      .activities.filter((entry) => entry.action.startsWith('container.'));
    const actions = entries.map((entry) => ({ action: entry.action, targetName: entry.targetName, details: entry.details }));
    expect(actions).toEqual(
      expect.arrayContaining([
        {
          action: 'container.stop',
          targetName: 'plex',
          details: { containerId: 'a1'.repeat(32), image: 'lscr.io/linuxserver/plex:latest', changed: true, timeoutSeconds: 1 },
        },
        {
          action: 'container.remove',
          targetName: 'sonarr',
          details: { containerId: 'b2'.repeat(32), image: 'busybox:latest', force: false, removeVolumes: false },
        },
      ]),
    );
    expect(entries).toHaveLength(2);
  });
});

describe('container routes with auth enabled', () => {
  it('needs a token to list containers, read stats and read logs', async () => {
    const { app } = await openApp(dockerWithContainers(), true);
    for (const url of ['/containers', '/containers/plex/stats', '/containers/plex/logs']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(401);
      expect(response.json(), url).toEqual({
        error: 'Authentication required',
        details: 'Send Authorization: Bearer <token> from POST /auth/login, or an API key',
        code: 'UNAUTHENTICATED',
        requestId: expect.any(String),
      });
    }
  });

  it('lets a viewer read but not act, and a user act', async () => {
    const docker = dockerWithContainers();
    const testApp = await openApp(docker, true);
    const viewer = bearer(await tokenFor(testApp, 'viewer'));
    const user = bearer(await tokenFor(testApp, 'user'));
    expect((await testApp.app.inject({ method: 'GET', url: '/containers', headers: viewer })).statusCode).toBe(200);
    expect((await testApp.app.inject({ method: 'GET', url: '/containers/plex/logs', headers: viewer })).statusCode).toBe(200);
    const refused = await testApp.app.inject({ method: 'POST', url: '/containers/plex/stop', headers: viewer });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({
      error: 'Not allowed',
      details: 'This action needs the user role or higher',
      code: 'FORBIDDEN',
      requestId: expect.any(String),
    });
    expect(docker.actions).toEqual([]);
    const allowed = await testApp.app.inject({ method: 'POST', url: '/containers/plex/stop', headers: user });
    expect(allowed.statusCode).toBe(200);
    const { activities: entries } = testApp.ctx.services.activity.list({ limit: 10, offset: 0, action: 'container.stop' });
    expect(entries.map((entry) => entry.username)).toEqual(['test-user']);
  });
});
