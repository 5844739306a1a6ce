// Every registered route × {no token, viewer, user, admin, API key} against the auth column of the
// seed and the wire contract (route-table.ts), with AUTH_ENABLED on and off. Each request is
// schema-valid, so the guard (not validation) decides; a refusal must be the guard's exact body.
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/contracts/common.js';
import type { ComposeInfo } from '../../src/server/infra/compose-cli.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { apiKeyFor, bearer, tokenFor } from '../helpers/auth.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';
import { connectSse } from '../helpers/sse-client.js';
import { FigureRecorder } from './figures.js';
import { createRouteCollector, ROUTE_AUTH, unclassifiedRoutes, type RegisteredRoute, type RouteRule } from './route-table.js';
import { fillUrl, MISSING_UUID, sampleFor } from './route-samples.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');
// Compose "found", so /health is healthy (200) and nothing answers 503 for a missing CLI.
const COMPOSE: ComposeInfo = { available: true, version: '2.26.1', command: 'docker', baseArgs: ['compose'], isV2: true };
const STREAM_401_DETAILS = 'Subscribing at connect needs a token: send Authorization: Bearer <token>, or access_token=<token> for EventSource';
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
