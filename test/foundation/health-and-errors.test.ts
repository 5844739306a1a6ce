import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { installErrorHandlers } from '../../src/server/errors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';

const COMPOSE_V2 = { available: true, version: '2.26.1', command: 'docker', baseArgs: ['compose'], isV2: true };

let testApp: TestApp | undefined;
afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

describe('GET /health', () => {
  it('answers 200 healthy when Docker, compose and the database answer', async () => {
    testApp = await createTestApp({ compose: COMPOSE_V2 });
    const response = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      status: 'healthy',
      docker: { status: 'connected', version: '20.10.24', apiVersion: '1.41', compose: { available: true, version: '2.26.1' } },
      database: { status: 'ok' },
      auth: { enabled: true },
      troubleshooting: [],
    });
    expect(body.platform).toBeUndefined();
    expect(body.paths).toBeUndefined();
  });

  it('answers 503 degraded with the fix when Docker is down, and 200 again when it returns', async () => {
    const docker = new FakeDockerEngine();
    docker.isUp = false;
    testApp = await createTestApp({ docker, compose: COMPOSE_V2 });
    const down = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(down.statusCode).toBe(503);
    expect(down.json().status).toBe('degraded');
    expect(down.json().docker.status).toBe('unavailable');
    expect(down.json().troubleshooting[0].fix).toContain('scripts/setup-host.sh');
    docker.isUp = true;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const up = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(up.statusCode).toBe(200);
  });

  it('reports a missing compose CLI as degraded', async () => {
    testApp = await createTestApp();
    const response = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json().troubleshooting.map((item: { problem: string }) => item.problem)).toContain(
      'docker compose v2 was not found, so apps cannot be deployed',
    );
  });

  it('reports compose v1 as degraded: it cannot deploy', async () => {
    testApp = await createTestApp({
      compose: { available: true, version: '1.29.2', command: 'docker-compose', baseArgs: [], isV2: false },
    });
    const response = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json().troubleshooting).toContainEqual({
      problem: 'Only docker-compose 1.29.2 (v1) was found, so apps cannot be deployed',
      fix: expect.stringContaining('Install compose v2'),
    });
    const modes = await testApp.app.inject({ method: 'GET', url: '/deployment-modes' });
    expect(modes.json().cliAvailable).toBe(false);
  });

  it('warns in troubleshooting when auth is disabled', async () => {
    testApp = await createTestApp({ compose: COMPOSE_V2, config: { authEnabled: false } });
    const body = (await testApp.app.inject({ method: 'GET', url: '/health' })).json();
    expect(body.auth).toEqual({ enabled: false });
    expect(body.troubleshooting[0].problem).toBe('Authentication is disabled');
  });
});

describe('GET /deployment-modes', () => {
  it('lists the three modes exactly as the seed shows them', async () => {
    testApp = await createTestApp({ compose: COMPOSE_V2 });
    const response = await testApp.app.inject({ method: 'GET', url: '/deployment-modes' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      modes: [
        { type: 'standard', name: 'Standard', description: 'Basic Docker deployment without reverse proxy' },
        { type: 'traefik', name: 'Traefik', description: 'Deployment with Traefik reverse proxy and SSL' },
        { type: 'authelia', name: 'Traefik + Authelia', description: 'Full production deployment with authentication' },
      ],
      cliAvailable: true,
    });
  });
});

describe('errors', () => {
  it('answers an unknown route with a JSON 404 in the wire format', async () => {
    testApp = await createTestApp();
    const response = await testApp.app.inject({ method: 'GET', url: '/no/such/route' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.json()).toEqual({
      error: 'Route not found',
      details: 'GET /no/such/route is not an API route',
      code: 'ROUTE_NOT_FOUND',
      requestId: response.headers['x-request-id'],
    });
  });

  async function echoApp() {
    const app = Fastify({ bodyLimit: 1024 * 1024 });
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandlers(app);
    app.withTypeProvider<ZodTypeProvider>().post('/echo', { schema: { body: z.object({ name: z.string().min(2) }) } }, (request) => ({
      success: true,
      name: request.body.name,
    }));
    app.get('/boom', () => {
      throw new Error('secret internal detail /etc/passwd');
    });
    await app.ready();
    return app;
  }

  it('answers malformed JSON with a 400 in the wire format', async () => {
    const app = await echoApp();
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Malformed JSON',
      details: 'The request body is not valid JSON',
      code: 'BAD_REQUEST',
      requestId: 'req-1',
    });
  });

  it('answers a body over 1 MiB with a 413', async () => {
    const app = await echoApp();
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: 'Bodies are limited to 1 MiB' });
  });

  it('names the failing field when a body does not match its schema', async () => {
    const app = await echoApp();
    const response = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'x' } });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.fields[0].path).toBe('body.name');
    expect(body.details).toContain('body.name');
  });

  it('never leaks an unexpected error message or stack', async () => {
    const app = await echoApp();
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('/etc/passwd');
    expect(response.json()).toMatchObject({ error: 'Internal server error', code: 'INTERNAL' });
  });
});

describe('CORS and headers', () => {
  it('refuses a disallowed origin with a 403, never a 500', async () => {
    testApp = await createTestApp({ config: { corsOrigins: ['https://dash.example.com'] } });
    const response = await testApp.app.inject({ method: 'GET', url: '/deployment-modes', headers: { origin: 'https://evil.example.net' } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'FORBIDDEN', details: expect.stringContaining('CORS_ORIGIN') });
  });

  it('allows a configured origin and answers its preflight', async () => {
    testApp = await createTestApp({ config: { corsOrigins: ['https://dash.example.com'] } });
    const preflight = await testApp.app.inject({
      method: 'OPTIONS',
      url: '/deploy',
      headers: { origin: 'https://dash.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://dash.example.com');
    const response = await testApp.app.inject({ method: 'GET', url: '/deployment-modes', headers: { origin: 'https://dash.example.com' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('https://dash.example.com');
  });

  it('sets security headers and a request id on every response', async () => {
    testApp = await createTestApp();
    const response = await testApp.app.inject({ method: 'GET', url: '/deployment-modes' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('JSON bodies', () => {
  it('treats an empty JSON body on an action route as no body, and still rejects malformed JSON', async () => {
    testApp = await createTestApp({ config: { authEnabled: false } });
    const empty = await testApp.app.inject({
      method: 'POST',
      url: '/containers/no-such-container/stop',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.statusCode).toBe(404);
    expect(empty.json().code).toBe('NOT_FOUND');
    const malformed = await testApp.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: 'Malformed JSON', code: 'BAD_REQUEST' });
    const polluted = await testApp.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"__proto__":{"role":"admin"},"username":"admin","password":"x"}',
    });
    expect(polluted.statusCode).toBe(400);
  });
});
