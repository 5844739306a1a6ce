// Docker tier: /ports/check and /ports/available see a container's published port and a plain host listener.
import net from 'node:net';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineApiClient } from '../../src/server/infra/docker/engine-api-client.js';
import { ProcHostPorts } from '../../src/server/infra/host-ports.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { docker, removeTestResources, requireDocker, STUB_IMAGE, testLabels, testRunId } from '../helpers/docker.js';
import { freePort } from '../helpers/server-process.js';

const prefix = `hlrt${testRunId}`;
const network = `${prefix}-${path.basename(import.meta.url, '.test.ts')}`;
let testApp: TestApp;
let container: Docker.Container;
let listener: net.Server;
/** Three consecutive free ports: the container publishes the first, the listener takes the second. */
let base: number;

async function threeFreePorts(): Promise<number> {
  const probe = new ProcHostPorts();
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await freePort();
    if (port + 2 > 65535) continue;
    if ((await probe.canBind(port)) && (await probe.canBind(port + 1)) && (await probe.canBind(port + 2))) return port;
  }
  throw new Error('Found no three consecutive free ports');
}

beforeAll(async () => {
  await requireDocker();
  // A network of our own: containers do not depend on the default bridge (docker0) being healthy.
  await docker.createNetwork({ Name: network, Labels: testLabels() });
  base = await threeFreePorts();
  testApp = await createTestApp({
    docker: new EngineApiClient('unix:///var/run/docker.sock'),
    config: { authEnabled: true, composeProjectPrefix: prefix },
  });
  container = await docker.createContainer({
    name: `${prefix}-ports`,
    Image: STUB_IMAGE,
    Cmd: ['httpd', '-f', '-p', '80'],
    Labels: testLabels({ 'com.docker.compose.project': `${prefix}-tools-web`, 'com.docker.compose.service': 'web' }),
    ExposedPorts: { '80/tcp': {} },
    HostConfig: { Init: true, NetworkMode: network, PortBindings: { '80/tcp': [{ HostPort: String(base) }] } },
  });
  await container.start();
  listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(base + 1, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
  await testApp?.close();
  await removeTestResources({ runId: testRunId });
});

describe('ports against the real daemon and host', () => {
  it('reports the published port as the container’s and the plain listener as the host’s', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/ports/check' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.usedPorts).toEqual(expect.arrayContaining([base, base + 1]));
    expect(body.usedPorts).toEqual([...body.usedPorts].sort((a: number, b: number) => a - b));
    const mine = body.details.filter((detail: { port: number }) => detail.port === base || detail.port === base + 1);
    expect(mine).toEqual([
      { port: base, protocol: 'tcp', source: 'docker', container: `${prefix}-ports`, appId: 'tools-web', address: '0.0.0.0' },
      { port: base + 1, protocol: 'tcp', source: 'host', container: null, appId: null, address: '127.0.0.1' },
    ]);
  });

  it('finds the first port that nothing publishes, listens on, or holds', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: `/ports/available?start=${base}&end=${base + 2}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true, availablePort: base + 2 });
    const none = await testApp.app.inject({ method: 'GET', url: `/ports/available?start=${base}&end=${base + 1}` });
    expect(none.statusCode).toBe(404);
    expect(none.json().code).toBe('NOT_FOUND');
  });
});
