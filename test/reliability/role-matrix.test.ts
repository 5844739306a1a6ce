// Every registered route × {no token, viewer, user, admin, API key} against the auth column of the
// seed and the wire contract (route-table.ts), with AUTH_ENABLED on and off. Each request is
// schema-valid, so the guard (not validation) decides; a refusal must be the guard's exact body.
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/contracts/common.js';
import type { ComposeInfo } from '../../src/server/infra/compose-cli.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { apiKeyFor, bearer, tokenFor, TEST_PASSWORD } from '../helpers/auth.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';
import { connectSse } from '../helpers/sse-client.js';
import { FigureRecorder } from './figures.js';
import { createRouteCollector, ROUTE_AUTH, unclassifiedRoutes, type RegisteredRoute, type RouteRule } from './route-table.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');
const MISSING_UUID = '00000000-0000-4000-8000-000000000000';
// Compose "found", so /health is healthy (200) and nothing answers 503 for a missing CLI.
const COMPOSE: ComposeInfo = { available: true, version: '2.26.1', command: 'docker', baseArgs: ['compose'], isV2: true };
const STREAM_401_DETAILS = 'Subscribing at connect needs a token: send Authorization: Bearer <token>, or access_token=<token> for EventSource';
const figures = new FigureRecorder('role-matrix');

afterAll(() => figures.write());

type Caller = 'no token' | 'viewer' | 'user' | 'admin' | 'API key (user)';
const CALLERS: Caller[] = ['no token', 'viewer', 'user', 'admin', 'API key (user)'];
const ROLE_RANK: Record<Role, number> = { viewer: 0, user: 1, admin: 2 };

type Sample = { url: string; body?: Record<string, unknown> };

let registerCount = 0;

/** A schema-valid request for each route: whatever the guard lets through ends in a 2xx, 400 or 404 of the handler. */
function sampleFor(key: string): Sample {
  const samples: Record<string, () => Sample> = {
    'POST /auth/login': () => ({ url: '/auth/login', body: { username: 'test-viewer', password: TEST_PASSWORD } }),
    'POST /auth/logout': () => ({ url: '/auth/logout' }),
    'GET /auth/me': () => ({ url: '/auth/me' }),
    'POST /auth/change-password': () => ({ url: '/auth/change-password', body: { currentPassword: 'not-the-password', newPassword: 'matrix-password-1' } }),
    'GET /auth/sessions': () => ({ url: '/auth/sessions' }),
    'DELETE /auth/sessions/:sessionId': () => ({ url: `/auth/sessions/ses_${'0'.repeat(32)}` }),
    'POST /auth/register': () => ({ url: '/auth/register', body: { username: `matrix-${(registerCount += 1)}`, password: 'matrix-password-1', role: 'viewer' } }),
    'GET /auth/users': () => ({ url: '/auth/users' }),
    'PATCH /auth/users/:id': () => ({ url: '/auth/users/usr_missing', body: { role: 'viewer' } }),
    'DELETE /auth/users/:id': () => ({ url: '/auth/users/usr_missing' }),
    'PUT /auth/users/:id/password': () => ({ url: '/auth/users/usr_missing/password', body: { password: 'matrix-password-2' } }),
    'POST /auth/api-keys': () => ({ url: '/auth/api-keys', body: { label: 'matrix key' } }),
    'GET /auth/api-keys': () => ({ url: '/auth/api-keys' }),
    'DELETE /auth/api-keys/:keyId': () => ({ url: `/auth/api-keys/key_${'0'.repeat(16)}` }),
    'GET /auth/me/stars': () => ({ url: '/auth/me/stars' }),
    'POST /auth/me/stars/:appId': () => ({ url: '/auth/me/stars/hlrtest-web' }),
    'DELETE /auth/me/stars/:appId': () => ({ url: '/auth/me/stars/hlrtest-web' }),
    'GET /auth/activity-log': () => ({ url: '/auth/activity-log' }),
    'GET /applications': () => ({ url: '/applications' }),
    'POST /applications/:appId/stop': () => ({ url: '/applications/hlrtest-web/stop' }),
    'DELETE /applications/:appId': () => ({ url: '/applications/hlrtest-web' }),
    'GET /applications/:appId/logs': () => ({ url: '/applications/hlrtest-web/logs' }),
    'POST /applications/reload': () => ({ url: '/applications/reload' }),
    'POST /deploy': () => ({ url: '/deploy', body: { appId: 'hlrtest-not-in-catalog', config: {}, mode: { type: 'standard' } } }),
    'GET /deployment-modes': () => ({ url: '/deployment-modes' }),
    'GET /deployments/active': () => ({ url: '/deployments/active' }),
    'GET /deployments': () => ({ url: '/deployments' }),
    'GET /deployments/:deploymentId/status': () => ({ url: `/deployments/${MISSING_UUID}/status` }),
    'GET /deployments/:deploymentId/events': () => ({ url: `/deployments/${MISSING_UUID}/events` }),
    'POST /deployments/:deploymentId/cancel': () => ({ url: `/deployments/${MISSING_UUID}/cancel` }),
    // Subscribing at connect is what the stream guards; the bare stream is checked over a socket below.
    'GET /stream/progress': () => ({ url: `/stream/progress?deploymentId=${MISSING_UUID}` }),
    'POST /stream/deployments/:deploymentId/subscribe': () => ({ url: `/stream/deployments/${MISSING_UUID}/subscribe`, body: { clientId: 'matrix-client' } }),
    'GET /containers': () => ({ url: '/containers' }),
    'GET /containers/:id/stats': () => ({ url: '/containers/matrix-missing/stats' }),
    'GET /containers/:id/logs': () => ({ url: '/containers/matrix-missing/logs' }),
    'POST /containers/:id/start': () => ({ url: '/containers/matrix-missing/start' }),
    'POST /containers/:id/stop': () => ({ url: '/containers/matrix-missing/stop' }),
    'POST /containers/:id/restart': () => ({ url: '/containers/matrix-missing/restart' }),
    'DELETE /containers/:id': () => ({ url: '/containers/matrix-missing' }),
    'GET /ports/check': () => ({ url: '/ports/check' }),
    'GET /ports/available': () => ({ url: '/ports/available?start=20000&end=20050' }),
    'GET /health': () => ({ url: '/health' }),
    'GET /enhanced-mount/:containerId/status': () => ({ url: '/enhanced-mount/matrix-missing/status' }),
    'GET /enhanced-mount/:containerId/providers': () => ({ url: '/enhanced-mount/matrix-missing/providers' }),
    'GET /enhanced-mount/:containerId/costs': () => ({ url: '/enhanced-mount/matrix-missing/costs' }),
    'GET /enhanced-mount/:containerId/performance': () => ({ url: '/enhanced-mount/matrix-missing/performance' }),
    'POST /enhanced-mount/:containerId/providers/:provider/enable': () => ({ url: '/enhanced-mount/matrix-missing/providers/webdav/enable' }),
    'POST /enhanced-mount/:containerId/providers/:provider/disable': () => ({ url: '/enhanced-mount/matrix-missing/providers/webdav/disable' }),
    'POST /enhanced-mount/:containerId/auth/start': () => ({ url: '/enhanced-mount/matrix-missing/auth/start', body: { provider: 'google' } }),
    'POST /enhanced-mount/:containerId/auth/complete': () => ({
      url: '/enhanced-mount/matrix-missing/auth/complete',
      body: { provider: 'google', auth_code: 'code', state: 'a'.repeat(32) },
    }),
    'POST /enhanced-mount/:containerId/auth/api-key': () => ({
      url: '/enhanced-mount/matrix-missing/auth/api-key',
      body: { provider: 'webdav', credentials: { url: 'http://127.0.0.1:9/', user: 'u', pass: 'p' } },
    }),
    'POST /enhanced-mount/:containerId/auth/test': () => ({ url: '/enhanced-mount/matrix-missing/auth/test', body: { provider: 'webdav' } }),
    'OPTIONS *': () => ({ url: '/containers' }),
  };
  const sample = samples[key];
  if (!sample) throw new Error(`No sample request for ${key}: add one to role-matrix.test.ts`);
  return sample();
}

/** What the guard must answer: 401, 403, or null when the caller passes. */
function expectedDenial(rule: RouteRule, caller: Caller, authEnabled: boolean): 401 | 403 | null {
  if (rule.auth === 'None') return null;
  if (rule.auth === 'Conditional' && !authEnabled) return null;
  if (caller === 'no token') return 401;
  const role: Role = caller === 'API key (user)' ? 'user' : caller;
  return ROLE_RANK[role] >= ROLE_RANK[rule.minRole ?? 'viewer'] ? null : 403;
}

type Harness = { t: TestApp; routes: RegisteredRoute[]; credentials: (caller: Caller) => Promise<Record<string, string>> };

async function setup(authEnabled: boolean): Promise<Harness> {
  const collector = createRouteCollector();
  const docker = new FakeDockerEngine();
  const t = await createTestApp({ docker, compose: COMPOSE, config: { authEnabled, catalogPaths: [FIXTURES] }, buildOptions: { onRoute: collector.onRoute } });
  const apiKey = await apiKeyFor(t, 'user');
  const tokens = new Map<Role, string>();
  for (const role of ['viewer', 'user', 'admin'] as const) tokens.set(role, await tokenFor(t, role));
  return {
    t,
    routes: collector.routes,
    async credentials(caller) {
      if (caller === 'no token') return {};
      if (caller === 'API key (user)') return bearer(apiKey);
      return bearer(tokens.get(caller) as string);
    },
  };
}

async function call(h: Harness, route: RegisteredRoute, caller: Caller): Promise<LightMyRequestResponse> {
  const sample = sampleFor(route.key);
  // Logging out ends the session: that call gets a session of its own.
  const headers =
    route.key === 'POST /auth/logout' && caller !== 'no token' && caller !== 'API key (user)'
      ? bearer(await tokenFor(h.t, caller))
      : await h.credentials(caller);
  figures.request();
  return h.t.app.inject({
    method: route.method as 'GET',
    url: sample.url,
    headers,
    ...(sample.body === undefined ? {} : { payload: sample.body }),
  });
}

function judge(route: RegisteredRoute, caller: Caller, response: LightMyRequestResponse, denial: 401 | 403 | null, minRole: Role | null): string | null {
  const body = response.headers['content-type']?.toString().includes('json') ? response.json<Record<string, unknown>>() : {};
  const where = `${route.key} as ${caller}`;
  if (response.statusCode >= 500) return `${where}: ${response.statusCode} ${response.body}`;
  if (denial === 401) {
    const expected = {
      error: 'Authentication required',
      details: route.key === 'GET /stream/progress' ? STREAM_401_DETAILS : 'Send Authorization: Bearer <token> from POST /auth/login, or an API key',
      code: 'UNAUTHENTICATED',
      requestId: body.requestId,
    };
    return response.statusCode === 401 && JSON.stringify(body) === JSON.stringify(expected) ? null : `${where}: expected the guard's 401, got ${response.statusCode} ${response.body}`;
  }
  if (denial === 403) {
    const expected = { error: 'Not allowed', details: `This action needs the ${minRole ?? 'viewer'} role or higher`, code: 'FORBIDDEN', requestId: body.requestId };
    return response.statusCode === 403 && JSON.stringify(body) === JSON.stringify(expected) ? null : `${where}: expected the guard's 403, got ${response.statusCode} ${response.body}`;
  }
  if (response.statusCode === 401 || (response.statusCode === 403 && body.code === 'FORBIDDEN')) return `${where}: expected to pass, got ${response.statusCode} ${response.body}`;
  return null;
}

async function runMatrix(authEnabled: boolean): Promise<{ mismatches: string[]; cells: number; h: Harness }> {
  const h = await setup(authEnabled);
  const mismatches: string[] = [];
  let cells = 0;
  for (const route of h.routes) {
    const rule = ROUTE_AUTH[route.key];
    if (!rule) continue;
    // With ?deploymentId= the stream behaves like a Conditional read (see route-table.ts).
    const effective: RouteRule = route.key === 'GET /stream/progress' ? { auth: 'Conditional', minRole: 'viewer', source: 'seed' } : rule;
    for (const caller of CALLERS) {
      const denial = expectedDenial(effective, caller, authEnabled);
      const response = await call(h, route, caller);
      if (denial !== null) figures.hostile();
      cells += 1;
      const problem = judge(route, caller, response, denial, effective.auth === 'Admin' ? 'admin' : effective.minRole);
      if (problem) {
        mismatches.push(problem);
        figures.failure();
      }
    }
  }
  return { mismatches, cells, h };
}

describe('the role matrix', () => {
  it('classifies every registered route in the auth table, and the table names no route that does not exist', async () => {
    const h = await setup(true);
    try {
      expect(unclassifiedRoutes(h.routes)).toEqual([]);
      const registered = new Set(h.routes.map((route) => route.key));
      expect(Object.keys(ROUTE_AUTH).filter((key) => !registered.has(key))).toEqual([]);
      expect(h.routes.length).toBeGreaterThanOrEqual(50);
      figures.note('routes', h.routes.length);
    } finally {
      await h.t.close();
    }
  });

  it('with AUTH_ENABLED=true, answers every route for every caller exactly as its auth column says', async () => {
    const { mismatches, cells, h } = await runMatrix(true);
    try {
      expect(mismatches).toEqual([]);
      expect(cells).toBe(h.routes.length * CALLERS.length);
      figures.note('matrix cells (auth on)', cells);
    } finally {
      await h.t.close();
    }
  });

  it('with AUTH_ENABLED=false, opens only the Conditional routes; Required and Admin stay closed', async () => {
    const { mismatches, cells, h } = await runMatrix(false);
    try {
      expect(mismatches).toEqual([]);
      figures.note('matrix cells (auth off)', cells);
    } finally {
      await h.t.close();
    }
  });

  it('opens the bare progress stream to anyone, but refuses subscribing at connect without a token', async () => {
    const h = await setup(true);
    try {
      const address = await h.t.app.listen({ port: 0, host: '127.0.0.1' });
      const stream = await connectSse(`${address}/stream/progress`);
      const connected = await stream.waitFor((event) => event.event === 'connected');
      expect(stream.status).toBe(200);
      expect(connected.json.clientId).toEqual(expect.any(String));
      stream.close();
      const refused = await fetch(`${address}/stream/progress?deploymentId=${MISSING_UUID}`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({
        error: 'Authentication required',
        details: STREAM_401_DETAILS,
        code: 'UNAUTHENTICATED',
        requestId: expect.any(String),
      });
      figures.request(2);
    } finally {
      await h.t.close();
    }
  });
});
