// Api tier: /ports/check and /ports/available with FakeDockerEngine and a scripted host.
import { afterEach, describe, expect, it } from 'vitest';
import type { HostPorts, ListeningSocket } from '../../src/server/infra/host-ports.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';

class ScriptedHostPorts implements HostPorts {
  constructor(
    readonly sockets: ListeningSocket[] = [],
    readonly unbindable = new Set<number>(),
  ) {}
  readonly probed: number[] = [];
  async listListeningSockets(): Promise<ListeningSocket[]> {
    return this.sockets;
  }
  async canBind(port: number): Promise<boolean> {
    this.probed.push(port);
    return !this.unbindable.has(port);
  }
}

let testApp: TestApp | undefined;
afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

function dockerPublishing(): FakeDockerEngine {
  const docker = new FakeDockerEngine();
  docker.addContainer({
    name: 'plex',
    labels: { 'com.docker.compose.project': 'hlr-mediaserver-plex' },
    ports: [
      { privatePort: 32400, publicPort: 32400, type: 'tcp', ip: '0.0.0.0' },
      { privatePort: 32400, publicPort: 32400, type: 'tcp', ip: '::' },
      { privatePort: 1900, publicPort: 1900, type: 'udp', ip: '0.0.0.0' },
      { privatePort: 8324, publicPort: null, type: 'tcp', ip: null },
    ],
  });
  docker.addContainer({
    name: 'web',
    ports: [8000, 8001, 8002].map((port) => ({ privatePort: port, publicPort: port, type: 'tcp', ip: '0.0.0.0' })),
  });
  docker.addContainer({ name: 'stopped', state: 'exited', ports: [{ privatePort: 9000, publicPort: 9000, type: 'tcp', ip: '0.0.0.0' }] });
  return docker;
}

const hostSockets: ListeningSocket[] = [
  { protocol: 'tcp', family: 4, address: '0.0.0.0', port: 32400 },
  { protocol: 'tcp', family: 4, address: '127.0.0.1', port: 8004 },
  { protocol: 'tcp', family: 6, address: '::1', port: 8004 },
  { protocol: 'udp', family: 4, address: '0.0.0.0', port: 5353 },
];

async function openApp(docker: FakeDockerEngine, hostPorts: HostPorts): Promise<TestApp> {
  testApp = await createTestApp({ docker, hostPorts, config: { authEnabled: true, composeProjectPrefix: 'hlr' } });
  return testApp;
}

describe('GET /ports/check', () => {
  it('lists published ports (ranges expanded) and host sockets once each, without a token', async () => {
    const { app } = await openApp(dockerPublishing(), new ScriptedHostPorts(hostSockets));
    const response = await app.inject({ method: 'GET', url: '/ports/check' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      usedPorts: [1900, 5353, 8000, 8001, 8002, 8004, 32400],
      source: 'docker-engine+host-sockets',
      details: [
        { port: 1900, protocol: 'udp', source: 'docker', container: 'plex', appId: 'mediaserver-plex', address: '0.0.0.0' },
        { port: 5353, protocol: 'udp', source: 'host', container: null, appId: null, address: '0.0.0.0' },
        { port: 8000, protocol: 'tcp', source: 'docker', container: 'web', appId: null, address: '0.0.0.0' },
        { port: 8001, protocol: 'tcp', source: 'docker', container: 'web', appId: null, address: '0.0.0.0' },
        { port: 8002, protocol: 'tcp', source: 'docker', container: 'web', appId: null, address: '0.0.0.0' },
        { port: 8004, protocol: 'tcp', source: 'host', container: null, appId: null, address: '127.0.0.1' },
        { port: 32400, protocol: 'tcp', source: 'docker', container: 'plex', appId: 'mediaserver-plex', address: '0.0.0.0' },
      ],
    });
  });

  it('answers 503 when Docker is down', async () => {
    const docker = dockerPublishing();
    docker.isUp = false;
    const { app } = await openApp(docker, new ScriptedHostPorts(hostSockets));
    const response = await app.inject({ method: 'GET', url: '/ports/check' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: 'Docker is not reachable', code: 'DOCKER_UNAVAILABLE' });
  });
});

describe('GET /ports/available', () => {
  it('skips published, listened-on and unbindable ports', async () => {
    const host = new ScriptedHostPorts(hostSockets, new Set([8003]));
    const { app } = await openApp(dockerPublishing(), host);
    const response = await app.inject({ method: 'GET', url: '/ports/available?start=8000&end=9000' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true, availablePort: 8005 });
    expect(host.probed).toEqual([8003, 8005]);
  });

  it('searches 8000–9000 when no range is given', async () => {
    const { app } = await openApp(new FakeDockerEngine(), new ScriptedHostPorts());
    expect((await app.inject({ method: 'GET', url: '/ports/available' })).json()).toEqual({ success: true, availablePort: 8000 });
  });

  it('answers 404 when every port of the range is taken', async () => {
    const { app } = await openApp(dockerPublishing(), new ScriptedHostPorts(hostSockets));
    const response = await app.inject({ method: 'GET', url: '/ports/available?start=8000&end=8002' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: 'No free port',
      details: 'Every port from 8000 to 8002 is in use; try another range',
      code: 'NOT_FOUND',
      requestId: expect.any(String),
    });
  });

  it('rejects a reversed range, ports out of bounds and non-numbers', async () => {
    const { app } = await openApp(new FakeDockerEngine(), new ScriptedHostPorts());
    const reversed = await app.inject({ method: 'GET', url: '/ports/available?start=9000&end=8000' });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json()).toEqual({
      error: 'Invalid request',
      details: 'querystring.start: start must not be greater than end',
      code: 'VALIDATION_FAILED',
      requestId: expect.any(String),
      fields: [{ path: 'querystring.start', message: 'start must not be greater than end' }],
    });
    for (const query of ['start=0&end=10', 'start=1&end=65536', 'start=abc&end=9000', 'start=80.5&end=90']) {
      const response = await app.inject({ method: 'GET', url: `/ports/available?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().code, query).toBe('VALIDATION_FAILED');
    }
  });
});
