// Every registered route × {no token, viewer, user, admin, API key} against the auth column of the
// seed and the wire contract (route-table.ts), with AUTH_ENABLED on and off. Each request is
// schema-valid, so the guard (not validation) decides; a refusal must be the guard's exact body.
// Then the same callers send malformed requests: the guard still answers first (guards are onRequest
// hooks), and only a caller it lets through learns that the request is malformed (400).
import path from 'node:path';
import type { LightMyRequestResponse, RouteOptions } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/contracts/common.js';
import type { ComposeInfo } from '../../src/server/infra/compose-cli.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { apiKeyFor, bearer, tokenFor } from '../helpers/auth.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';
import { connectSse } from '../helpers/sse-client.js';
import { FigureRecorder } from './figures.js';
import { createRouteCollector, ROUTE_AUTH, unclassifiedRoutes, type RegisteredRoute, type RouteRule } from './route-table.js';
import { fillUrl, MISSING_UUID, paramNames, sampleFor } from './route-samples.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');
// Compose "found", so /health is healthy (200) and nothing answers 503 for a missing CLI.
const COMPOSE: ComposeInfo = { available: true, version: '2.26.1', command: 'docker', baseArgs: ['compose'], isV2: true };
const STREAM_401_DETAILS =
  'Subscribing at connect needs a token: send Authorization: Bearer <token>, or access_token=<token> for EventSource';
const figures = new FigureRecorder('role-matrix');

afterAll(() => figures.write());

type Caller = 'no token' | 'viewer' | 'user' | 'admin' | 'API key (user)';
const CALLERS: Caller[] = ['no token', 'viewer', 'user', 'admin', 'API key (user)'];
const ROLE_RANK: Record<Role, number> = { viewer: 0, user: 1, admin: 2 };

/** What the guard must answer: 401, 403, or null when the caller passes. */
function expectedDenial(rule: RouteRule, caller: Caller, authEnabled: boolean): 401 | 403 | null {
  if (rule.auth === 'None') return null;
  if (rule.auth === 'Conditional' && !authEnabled) return null;
  if (caller === 'no token') return 401;
  const role: Role = caller === 'API key (user)' ? 'user' : caller;
  return ROLE_RANK[role] >= ROLE_RANK[rule.minRole ?? 'viewer'] ? null : 403;
}

type Harness = {
  t: TestApp;
  routes: RegisteredRoute[];
  /** Keys ("POST /deploy") of the routes that declare a body schema. */
  bodyRoutes: Set<string>;
  credentials: (caller: Caller) => Promise<Record<string, string>>;
};

async function setup(authEnabled: boolean): Promise<Harness> {
  const collector = createRouteCollector();
  const bodyRoutes = new Set<string>();
  const onRoute = (route: RouteOptions): void => {
    collector.onRoute(route);
    if (!route.schema?.body) return;
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) bodyRoutes.add(`${method} ${route.url}`);
  };
  const docker = new FakeDockerEngine();
  const t = await createTestApp({ docker, compose: COMPOSE, config: { authEnabled, catalogPaths: [FIXTURES] }, buildOptions: { onRoute } });
  const apiKey = await apiKeyFor(t, 'user');
  const tokens = new Map<Role, string>();
  for (const role of ['viewer', 'user', 'admin'] as const) tokens.set(role, await tokenFor(t, role));
  return {
    t,
    routes: collector.routes,
    bodyRoutes,
    async credentials(caller) {
      if (caller === 'no token') return {};
      if (caller === 'API key (user)') return bearer(apiKey);
      return bearer(tokens.get(caller) as string);
    },
  };
}

async function call(h: Harness, route: RegisteredRoute, caller: Caller): Promise<LightMyRequestResponse> {
  const sample = sampleFor(route.key);
  const url = route.key === 'OPTIONS *' ? '/containers' : fillUrl(route.url, sample.params, sample.query);
  // Logging out ends the session: that call gets a session of its own.
  const headers =
    route.key === 'POST /auth/logout' && caller !== 'no token' && caller !== 'API key (user)'
      ? bearer(await tokenFor(h.t, caller))
      : await h.credentials(caller);
  figures.request();
  return h.t.app.inject({
    method: route.method as 'GET',
    url,
    headers,
    ...(sample.body === undefined ? {} : { payload: sample.body }),
  });
}

function judge(
  route: RegisteredRoute,
  caller: Caller,
  response: LightMyRequestResponse,
  denial: 401 | 403 | null,
  minRole: Role | null,
): string | null {
  const body = response.headers['content-type']?.toString().includes('json') ? response.json<Record<string, unknown>>() : {};
  const where = `${route.key} as ${caller}`;
  if (response.statusCode >= 500) return `${where}: ${response.statusCode} ${response.body}`;
  if (denial === 401) {
    const expected = {
      error: 'Authentication required',
      details:
        route.key === 'GET /stream/progress'
          ? STREAM_401_DETAILS
          : 'Send Authorization: Bearer <token> from POST /auth/login, or an API key',
      code: 'UNAUTHENTICATED',
      requestId: body.requestId,
    };
    return response.statusCode === 401 && JSON.stringify(body) === JSON.stringify(expected)
      ? null
      : `${where}: expected the guard's 401, got ${response.statusCode} ${response.body}`;
  }
  if (denial === 403) {
    const expected = {
      error: 'Not allowed',
      details: `This action needs the ${minRole ?? 'viewer'} role or higher`,
      code: 'FORBIDDEN',
      requestId: body.requestId,
    };
    return response.statusCode === 403 && JSON.stringify(body) === JSON.stringify(expected)
      ? null
      : `${where}: expected the guard's 403, got ${response.statusCode} ${response.body}`;
  }
  if (response.statusCode === 401 || (response.statusCode === 403 && body.code === 'FORBIDDEN'))
    return `${where}: expected to pass, got ${response.statusCode} ${response.body}`;
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

const BAD_PARAM = 'bad!id';
const MALFORMED_JSON = '{"unterminated';
const MALFORMED_JSON_BODY = { error: 'Malformed JSON', details: 'The request body is not valid JSON', code: 'BAD_REQUEST' };

type MalformedRequest = {
  what: string;
  url: string;
  payload?: unknown;
  headers: Record<string, string>;
  /** The 400 a caller the guard lets through gets, without its requestId (and fields' messages). */
  expected: { kind: 'validation'; fieldPaths: string[] } | { kind: 'malformed JSON' };
};

/** Requests to the route that Fastify refuses before its handler: bad path parameters, a body against its schema, malformed JSON. */
function malformedRequests(h: Harness, route: RegisteredRoute): MalformedRequest[] {
  const sample = sampleFor(route.key);
  const requests: MalformedRequest[] = [];
  const names = paramNames(route.url);
  if (names.length > 0) {
    const params = Object.fromEntries(names.map((name) => [name, BAD_PARAM]));
    requests.push({
      what: `an invalid ${names.join(' and ')}`,
      url: fillUrl(route.url, params, sample.query),
      ...(sample.body === undefined ? {} : { payload: sample.body }),
      headers: {},
      expected: { kind: 'validation', fieldPaths: names.map((name) => `params.${name}`) },
    });
  }
  const url = fillUrl(route.url, sample.params, sample.query);
  if (h.bodyRoutes.has(route.key)) {
    requests.push({
      what: 'a body against its schema',
      url,
      payload: [],
      headers: {},
      expected: { kind: 'validation', fieldPaths: ['body'] },
    });
  }
  if (route.method !== 'GET') {
    const headers = { 'content-type': 'application/json' };
    requests.push({ what: 'malformed JSON', url, payload: MALFORMED_JSON, headers, expected: { kind: 'malformed JSON' } });
  }
  return requests;
}

/** The guard's refusal when `denial` is set (judge()), otherwise the request's exact 400. */
function judgeMalformed(
  route: RegisteredRoute,
  caller: Caller,
  request: MalformedRequest,
  response: LightMyRequestResponse,
  denial: 401 | 403 | null,
  minRole: Role | null,
): string | null {
  const refusal = judge(route, caller, response, denial, minRole);
  if (refusal || denial !== null) return refusal && `${refusal} (sent ${request.what})`;
  const where = `${route.key} with ${request.what} as ${caller}`;
  const body = response.headers['content-type']?.toString().includes('json') ? response.json<Record<string, unknown>>() : {};
  let expected: Record<string, unknown>;
  if (request.expected.kind === 'malformed JSON') {
    expected = { ...MALFORMED_JSON_BODY, requestId: body.requestId };
  } else {
    const fields = Array.isArray(body.fields) ? (body.fields as { path: string; message: string }[]) : [];
    const paths = fields.map((field) => field.path);
    if (JSON.stringify(paths) !== JSON.stringify(request.expected.fieldPaths)) {
      return `${where}: expected a 400 for ${request.expected.fieldPaths.join(', ')}, got ${response.statusCode} ${response.body}`;
    }
    const details = fields.map((field) => `${field.path}: ${field.message}`).join('; ');
    expected = { error: 'Invalid request', details, code: 'VALIDATION_FAILED', requestId: body.requestId, fields };
  }
  const exact = response.statusCode === 400 && typeof body.requestId === 'string' && JSON.stringify(body) === JSON.stringify(expected);
  return exact ? null : `${where}: expected the 400 of ${request.what}, got ${response.statusCode} ${response.body}`;
}

async function runMalformedMatrix(
  authEnabled: boolean,
): Promise<{ mismatches: string[]; cells: number; statuses: Record<number, number>; h: Harness }> {
  const h = await setup(authEnabled);
  const mismatches: string[] = [];
  const statuses: Record<number, number> = {};
  let cells = 0;
  for (const route of h.routes) {
    const rule = ROUTE_AUTH[route.key];
    if (!rule || rule.auth === 'None') continue;
    for (const request of malformedRequests(h, route)) {
      for (const caller of CALLERS) {
        const denial = expectedDenial(rule, caller, authEnabled);
        figures.request();
        figures.hostile();
        const response = await h.t.app.inject({
          method: route.method as 'GET',
          url: request.url,
          headers: { ...(await h.credentials(caller)), ...request.headers },
          ...(request.payload === undefined ? {} : { payload: request.payload as string }),
        });
        cells += 1;
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
        const problem = judgeMalformed(route, caller, request, response, denial, rule.auth === 'Admin' ? 'admin' : rule.minRole);
        if (problem) {
          mismatches.push(problem);
          figures.failure();
        }
      }
    }
  }
  return { mismatches, cells, statuses, h };
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

describe('authentication and authorization before validation', () => {
  it('answers an anonymous POST with an invalid body or an invalid :id with 401, and the same request with a token with 400', async () => {
    const h = await setup(true);
    try {
      const anonymous = await h.credentials('no token');
      const user = await h.credentials('user');
      const badDeploy = { method: 'POST' as const, url: '/deploy', payload: { appId: '', config: 'not an object' } };
      const badId = { method: 'POST' as const, url: `/containers/${BAD_PARAM}/stop` };
      const malformed = {
        method: 'POST' as const,
        url: '/auth/register',
        headers: { 'content-type': 'application/json' },
        payload: MALFORMED_JSON,
      };
      figures.request(6);
      figures.hostile(6);

      for (const request of [badDeploy, badId]) {
        const refused = await h.t.app.inject({ ...request, headers: anonymous });
        expect(refused.statusCode).toBe(401);
        expect(refused.json()).toEqual({
          error: 'Authentication required',
          details: 'Send Authorization: Bearer <token> from POST /auth/login, or an API key',
          code: 'UNAUTHENTICATED',
          requestId: expect.any(String),
        });
      }
      const anonymousMalformed = await h.t.app.inject({ ...malformed, headers: { ...anonymous, ...malformed.headers } });
      expect(anonymousMalformed.statusCode).toBe(401);
      expect(anonymousMalformed.json().code).toBe('UNAUTHENTICATED');

      const invalidBody = await h.t.app.inject({ ...badDeploy, headers: user });
      expect(invalidBody.statusCode).toBe(400);
      expect(invalidBody.json()).toEqual({
        error: 'Invalid request',
        details: expect.stringMatching(/^body\.appId: .+; body\.config: .+$/),
        code: 'VALIDATION_FAILED',
        requestId: expect.any(String),
        fields: [
          { path: 'body.appId', message: expect.any(String) },
          { path: 'body.config', message: expect.any(String) },
        ],
      });
      const invalidId = await h.t.app.inject({ ...badId, headers: user });
      expect(invalidId.statusCode).toBe(400);
      expect(invalidId.json()).toEqual({
        error: 'Invalid request',
        details: 'params.id: must be a container id or name (letters, digits, _ . -)',
        code: 'VALIDATION_FAILED',
        requestId: expect.any(String),
        fields: [{ path: 'params.id', message: 'must be a container id or name (letters, digits, _ . -)' }],
      });
      const adminMalformed = await h.t.app.inject({ ...malformed, headers: { ...(await h.credentials('admin')), ...malformed.headers } });
      expect(adminMalformed.statusCode).toBe(400);
      expect(adminMalformed.json()).toEqual({ ...MALFORMED_JSON_BODY, requestId: expect.any(String) });
    } finally {
      await h.t.close();
    }
  });

  it('with AUTH_ENABLED=true, refuses (401, 403) before validating a malformed request to any guarded route; callers the guard lets through get the 400', async () => {
    const { mismatches, cells, statuses, h } = await runMalformedMatrix(true);
    try {
      expect(mismatches).toEqual([]);
      expect(Object.keys(statuses).sort()).toEqual(['400', '401', '403']);
      expect(cells).toBeGreaterThan(300);
      figures.note('malformed-request cells (auth on)', cells);
    } finally {
      await h.t.close();
    }
  });

  it('with AUTH_ENABLED=false, answers a malformed request to a Conditional route with its 400, and to a Required or Admin route with the guard', async () => {
    const { mismatches, statuses, cells, h } = await runMalformedMatrix(false);
    try {
      expect(mismatches).toEqual([]);
      expect(Object.keys(statuses).sort()).toEqual(['400', '401', '403']);
      figures.note('malformed-request cells (auth off)', cells);
    } finally {
      await h.t.close();
    }
  });
});
