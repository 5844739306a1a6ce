import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import path from 'node:path';
import { loggerOptions } from '../../src/server/app.js';
import { installErrorHandlers } from '../../src/server/errors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';

const DEPLOY_FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');

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
  });

  it('accepts valid JSON with a __proto__ key, dropping the key so it pollutes nothing', async () => {
    testApp = await createTestApp();
    const polluted = await testApp.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json' },
      payload:
        '{"__proto__":{"role":"admin"},"constructor":{"prototype":{"isAdmin":true}},"username":"nobody","password":"wrong-password"}',
    });
    // Parsed as a login like any other: wrong credentials, not "Malformed JSON".
    expect(polluted.statusCode).toBe(401);
    expect(polluted.json().code).toBe('UNAUTHENTICATED');
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('answers a content type it does not read with 415 and its own code', async () => {
    testApp = await createTestApp();
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/xml' },
      payload: '<login><username>a</username></login>',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({
      error: 'Unsupported content type',
      details: 'Send JSON with Content-Type: application/json',
      code: 'UNSUPPORTED_MEDIA_TYPE',
      requestId: response.headers['x-request-id'],
    });
  });
});

describe('error bodies stay small', () => {
  it('lists 20 field problems at most, with the count, for a deploy body of 20,000 unknown keys', async () => {
    testApp = await createTestApp({ config: { authEnabled: false, catalogPaths: [DEPLOY_FIXTURES] } });
    const config: Record<string, string> = {};
    for (let index = 0; index < 20_000; index += 1) config[`UNKNOWN_KEY_${index}`] = 'x';
    const payload = JSON.stringify({ appId: 'hlrtest-web', config, mode: { type: 'standard' } });
    expect(payload.length).toBeGreaterThan(280_000);
    const response = await testApp.app.inject({ method: 'POST', url: '/deploy', headers: { 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.body.length).toBeLessThan(6_000);
    const body = response.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.fields).toHaveLength(20);
    expect(body.fieldCount).toBe(20_000);
    expect(body.fields[0]).toEqual({ path: 'config.UNKNOWN_KEY_0', message: expect.stringContaining('is not a variable') });
    expect(body.details).toMatch(/; and 19980 more$/);
  });

  it('caps schema validation problems the same way', async () => {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandlers(app);
    app
      .withTypeProvider<ZodTypeProvider>()
      .post('/many', { schema: { body: z.object({ items: z.array(z.number()) }) } }, () => ({ ok: true }));
    const response = await app.inject({
      method: 'POST',
      url: '/many',
      payload: { items: Array.from({ length: 5_000 }, () => 'not a number') },
    });
    expect(response.statusCode).toBe(400);
    expect(response.body.length).toBeLessThan(6_000);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', fieldCount: 5_000 });
    expect(response.json().fields).toHaveLength(20);
    await app.close();
  });
});

describe('request logs', () => {
  it('logs a refused request as one line with request id, route, status and code, and no stack', async () => {
    const lines: string[] = [];
    testApp = await createTestApp({ buildOptions: { logger: loggerOptions('info', { write: (line) => lines.push(line) }) } });
    const response = await testApp.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'x' } });
    expect(response.statusCode).toBe(400);
    const refused = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === 'request refused: Invalid request');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      level: 30,
      reqId: response.headers['x-request-id'],
      route: '/auth/login',
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(refused[0]).not.toHaveProperty('err');
    expect(lines.join('\n')).not.toMatch(/"stack"|\/work\/|node_modules/);
  });

  it('keeps the stack of an unexpected failure', async () => {
    const lines: string[] = [];
    const app = Fastify({ logger: loggerOptions('info', { write: (line) => lines.push(line) }) });
    installErrorHandlers(app);
    app.get('/boom', () => {
      throw new Error('kaboom');
    });
    expect((await app.inject({ method: 'GET', url: '/boom' })).statusCode).toBe(500);
    const failure = lines
      .map((line) => JSON.parse(line) as { level: number; err?: { stack?: string } })
      .find((entry) => entry.level === 50);
    expect(failure?.err?.stack).toContain('kaboom');
    await app.close();
  });
});

describe('DNS rebinding', () => {
  it('refuses a foreign Host when auth is off, and answers loopback, LAN and ALLOWED_HOSTS names', async () => {
    testApp = await createTestApp({
      config: { authEnabled: false, allowedHosts: ['homelab.example.com'] },
      buildOptions: { machine: { machineNames: ['nas'], machineAddresses: ['127.0.0.1'] } },
    });
    const evil = await testApp.app.inject({ method: 'GET', url: '/deployment-modes', headers: { host: 'evil.example:8092' } });
    expect(evil.statusCode).toBe(403);
    expect(evil.json()).toEqual({
      error: 'Host not allowed',
      details:
        'This server does not answer to the host "evil.example:8092" while AUTH_ENABLED=false; add the name to ALLOWED_HOSTS to use it',
      code: 'FORBIDDEN',
      requestId: evil.headers['x-request-id'],
    });
    for (const host of ['localhost:8092', '127.0.0.1:8084', '192.168.1.20:8092', 'nas:8084', 'homelab.example.com']) {
      const response = await testApp.app.inject({ method: 'GET', url: '/deployment-modes', headers: { host } });
      expect(response.statusCode, host).toBe(200);
    }
  });

  it('refuses an Origin that only matches a foreign Host header', async () => {
    testApp = await createTestApp({ buildOptions: { machine: { machineNames: ['nas'], machineAddresses: [] } } });
    const forged = await testApp.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { host: 'evil', origin: 'http://evil' },
      payload: { username: 'admin', password: 'whatever-password' },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ error: 'Origin not allowed', code: 'FORBIDDEN' });
    const own = await testApp.app.inject({
      method: 'GET',
      url: '/deployment-modes',
      headers: { host: 'nas:8084', origin: 'http://nas:8084' },
    });
    expect(own.statusCode).toBe(200);
  });
});
