// api tier: /openapi.json is a structurally valid OpenAPI 3.1 document listing every route with
// examples, /docs renders it, and every registered route declares its schemas.
import type { IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z, type ZodType } from 'zod';
import { createUrlRewriter } from '../../src/server/app.js';
import { createGuards } from '../../src/server/modules/auth/guards.js';
import { registerOpenApi } from '../../src/server/modules/openapi/openapi.plugin.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON document, walked freely
type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PATH_ITEM_KEYS = new Set([...METHODS, 'summary', 'description', 'servers', 'parameters', '$ref']);

let t: TestApp;
let doc: Json;

function operations(document: Json): { path: string; method: string; operation: Json }[] {
  return Object.entries(document.paths as Record<string, Json>).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method] as Json })),
  );
}

function resolvePointer(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Json)[part] : undefined), document);
}

function collectRefs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else collectRefs(value, found);
    }
  }
  return found;
}

/** The structural rules of OpenAPI 3.1 this document must follow; returns every violation. */
function structuralProblems(document: Json): string[] {
  const problems: string[] = [];
  if (!/^3\.1\.\d+$/.test(String(document.openapi))) problems.push(`openapi is ${document.openapi}, not 3.1.x`);
  if (typeof document.info?.title !== 'string' || typeof document.info?.version !== 'string') problems.push('info needs title and version');
  const schemes = Object.keys(document.components?.securitySchemes ?? {});
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
    if (!path.startsWith('/')) problems.push(`path ${path} does not start with /`);
    if (/:[A-Za-z]/.test(path)) problems.push(`path ${path} uses :param instead of {param}`);
    for (const key of Object.keys(item))
      if (!PATH_ITEM_KEYS.has(key) && !key.startsWith('x-')) problems.push(`${path}: unknown key ${key}`);
    if (!METHODS.some((method) => item[method])) problems.push(`${path} has no operation`);
  }
  for (const { path, method, operation } of operations(document)) {
    const where = `${method.toUpperCase()} ${path}`;
    if (typeof operation.operationId !== 'string' || ids.has(operation.operationId))
      problems.push(`${where}: operationId missing or repeated`);
    ids.add(operation.operationId);
    const responses = Object.entries((operation.responses ?? {}) as Record<string, Json>);
    if (responses.length === 0) problems.push(`${where}: no responses`);
    if (!responses.some(([status]) => /^2/.test(status))) problems.push(`${where}: no 2xx response`);
    for (const [status, response] of responses) {
      if (!/^([1-5](\d\d|XX)|default)$/.test(status)) problems.push(`${where}: bad status key ${status}`);
      if (typeof response.description !== 'string') problems.push(`${where} ${status}: no description`);
      for (const [type, media] of Object.entries((response.content ?? {}) as Record<string, Json>)) {
        if (!media.schema || typeof media.schema !== 'object') problems.push(`${where} ${status} ${type}: no schema`);
        if (media.example === undefined && media.examples === undefined) problems.push(`${where} ${status} ${type}: no example`);
      }
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    const parameters = (operation.parameters ?? []) as Json[];
    const seen = new Set<string>();
    for (const parameter of parameters) {
      if (!['query', 'header', 'path', 'cookie'].includes(parameter.in))
        problems.push(`${where}: parameter ${parameter.name} in ${parameter.in}`);
      if (seen.has(`${parameter.in}:${parameter.name}`)) problems.push(`${where}: parameter ${parameter.name} twice`);
      seen.add(`${parameter.in}:${parameter.name}`);
      if (!parameter.schema) problems.push(`${where}: parameter ${parameter.name} has no schema`);
      if (parameter.example === undefined) problems.push(`${where}: parameter ${parameter.name} has no example`);
      if (parameter.in === 'path' && (parameter.required !== true || !templated.includes(parameter.name)))
        problems.push(`${where}: path parameter ${parameter.name} not in the path or not required`);
    }
    for (const name of templated)
      if (!parameters.some((parameter) => parameter.in === 'path' && parameter.name === name))
        problems.push(`${where}: {${name}} is not declared`);
    if (operation.requestBody) {
      for (const [type, media] of Object.entries((operation.requestBody.content ?? {}) as Record<string, Json>)) {
        if (!media.schema) problems.push(`${where} body ${type}: no schema`);
        if (media.example === undefined && media.examples === undefined) problems.push(`${where} body ${type}: no example`);
      }
    }
    for (const requirement of (operation.security ?? []) as Json[]) {
      for (const scheme of Object.keys(requirement))
        if (!schemes.includes(scheme)) problems.push(`${where}: unknown security scheme ${scheme}`);
    }
  }
  for (const ref of collectRefs(document)) if (resolvePointer(document, ref) === undefined) problems.push(`$ref ${ref} does not resolve`);
  return problems;
}

beforeAll(async () => {
  t = await createTestApp();
  const response = await t.app.inject({ url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  doc = response.json();
});

afterAll(async () => {
  await t.close();
});

describe('route schemas', () => {
  it('has a schema with a 2xx response, params for path parameters, a summary and tags on every registered route', () => {
    const routes = t.app.routeInventory.apiRoutes();
    expect(routes.length).toBeGreaterThan(40);
    expect(t.app.routeInventory.problems()).toEqual([]);
  });

  it('reports a route added without a schema, by any plugin, without being told about it', async () => {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await registerOpenApi(app, { version: 'test' });
    await app.register(async (plugin) => {
      plugin.get('/widgets/:widgetId', async () => ({ ok: true }));
      plugin.withTypeProvider<ZodTypeProvider>().post(
        '/widgets',
        {
          schema: {
            tags: ['widgets'],
            summary: 'Make a widget',
            body: z.object({ name: z.string() }),
            response: { 200: z.object({ id: z.string() }) },
          },
        },
        async () => ({ id: 'w1' }),
      );
    });
    await app.ready();
    expect(app.routeInventory.problems()).toEqual(['GET /widgets/:widgetId: declares no schema']);
    const document = app.swagger() as Json;
    expect(Object.keys(document.paths)).toEqual(['/widgets/{widgetId}', '/widgets']);
    expect(document.paths['/widgets'].post.requestBody.content['application/json'].example).toEqual({ name: 'plex' });
    await app.close();
  });
});

describe('guard placement', () => {
  it('reads the auth column from onRequest guards and reports a guard attached to a later hook', async () => {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await registerOpenApi(app, { version: 'test' });
    const guards = createGuards({ authenticate: async () => null }, true);
    const schema = {
      tags: ['widgets'],
      summary: 'Make a widget',
      body: z.object({ name: z.string() }),
      response: { 200: z.object({ id: z.string() }) },
    };
    await app.register(async (plugin) => {
      const api = plugin.withTypeProvider<ZodTypeProvider>();
      api.post('/widgets', { schema, onRequest: guards.required() }, async () => ({ id: 'w1' }));
      api.post('/gadgets', { schema, onRequest: [guards.conditional('user')] }, async () => ({ id: 'g1' }));
      api.post('/sprockets', { schema, preHandler: guards.admin() }, async () => ({ id: 's1' }));
      api.post('/gizmos', { schema, preValidation: [guards.conditional('user')] }, async () => ({ id: 'z1' }));
    });
    await app.ready();
    expect(app.routeInventory.apiRoutes().map((route) => [route.url, route.auth])).toEqual([
      ['/widgets', 'required'],
      ['/gadgets', 'conditional'],
      ['/sprockets', 'none'],
      ['/gizmos', 'none'],
    ]);
    expect(app.routeInventory.problems()).toEqual([
      'POST /sprockets: runs its preHandler guard requirePrincipal: guards belong in onRequest, before the body is read',
      'POST /gizmos: runs its preValidation guard conditionalPrincipal: guards belong in onRequest, before the body is read',
    ]);
    await app.close();
  });
});

describe('GET /openapi.json', () => {
  it('is a structurally valid OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(structuralProblems(doc)).toEqual([]);
  });

  it('lists every registered API route, and nothing else', () => {
    const registered = t.app.routeInventory
      .apiRoutes()
      .map((route) => `${route.method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`)
      .sort();
    const documented = operations(doc)
      .map(({ path, method }) => `${method.toUpperCase()} ${path}`)
      .sort();
    expect(documented).toEqual(registered);
    expect(documented).toEqual(
      expect.arrayContaining([
        'GET /health',
        'POST /deploy',
        'GET /containers/{id}/logs',
        'GET /metrics',
        'GET /openapi.json',
        'GET /docs',
      ]),
    );
  });

  it('marks each route with its auth column and bearer security', () => {
    const operation = (method: string, path: string): Json => doc.paths[path][method];
    expect(operation('get', '/health')).toMatchObject({ 'x-auth': 'none', security: [] });
    expect(operation('get', '/applications')).toMatchObject({ 'x-auth': 'none', security: [] });
    expect(operation('get', '/containers')).toMatchObject({ 'x-auth': 'conditional', security: [{ bearerAuth: [] }] });
    expect(operation('get', '/auth/users')).toMatchObject({ 'x-auth': 'required', security: [{ bearerAuth: [] }] });
    expect(operation('get', '/metrics')).toMatchObject({ 'x-auth': 'required', security: [{ bearerAuth: [] }] });
    expect(operation('get', '/containers').responses['401'].content['application/json'].example).toEqual({
      error: 'Authentication required',
      details: 'Send Authorization: Bearer <token> from POST /auth/login, or an API key',
      code: 'UNAUTHENTICATED',
      requestId: '550e8400-e29b-41d4-a716-446655440000',
    });
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents text responses with their own media types', () => {
    expect(Object.keys(doc.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
    expect(Object.keys(doc.paths['/docs'].get.responses['200'].content)).toEqual(['text/html']);
    expect(Object.keys(doc.paths['/stream/progress'].get.responses['200'].content)).toEqual(['text/event-stream']);
  });

  it('gives request bodies examples that the route itself accepts', () => {
    const rejected: string[] = [];
    for (const route of t.app.routeInventory.apiRoutes()) {
      const body = route.schema?.body as ZodType | undefined;
      if (!body) continue;
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const example = doc.paths[path][route.method.toLowerCase()].requestBody.content['application/json'].example;
      const result = body.safeParse(example);
      if (!result.success)
        rejected.push(
          `${route.method} ${route.url}: ${JSON.stringify(example)} → ${result.error.issues.map((issue) => issue.message).join('; ')}`,
        );
    }
    expect(rejected).toEqual([]);
  });

  it('gives 2xx responses examples that their response schemas accept', () => {
    const rejected: string[] = [];
    for (const route of t.app.routeInventory.apiRoutes()) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const responses = doc.paths[path][route.method.toLowerCase()].responses as Record<string, Json>;
      for (const [status, schema] of Object.entries((route.schema?.response ?? {}) as Record<string, ZodType>)) {
        if (!status.startsWith('2')) continue;
        const [type, media] = Object.entries(responses[status]?.content ?? {})[0] as [string, Json];
        const result = schema.safeParse(media.example);
        if (!result.success)
          rejected.push(
            `${route.method} ${route.url} ${status} ${type}: ${result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`,
          );
      }
    }
    expect(rejected).toEqual([]);
  });
});

describe('GET /docs', () => {
  it('renders every operation as readable HTML without any script', async () => {
    const response = await t.app.inject({ url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    const html = response.body;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|https?:\/\/(?!plex\.example\.com|example\.com)[a-z]/i);
    expect(html).toContain('<a href="openapi.json">openapi.json</a>');
    for (const { path, method, operation } of operations(doc)) {
      expect(html).toContain(`<span class="m m-${method}">${method.toUpperCase()}</span> <code class="path">${path}</code>`);
      expect(html).toContain(operation.summary.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
    }
  });
});

describe('both ports', () => {
  const request = (url: string, localPort: number): IncomingMessage => ({ url, socket: { localPort } }) as unknown as IncomingMessage;

  it('serves /docs and /openapi.json on the dashboard port as they are, and /api/… too', () => {
    const rewrite = createUrlRewriter(8084);
    expect(rewrite(request('/docs', 8084))).toBe('/docs');
    expect(rewrite(request('/docs/', 8084))).toBe('/docs/');
    expect(rewrite(request('/openapi.json', 8084))).toBe('/openapi.json');
    expect(rewrite(request('/api/openapi.json', 8084))).toBe('/openapi.json');
    expect(rewrite(request('/docsearch', 8084))).toBe('/_ui/docsearch');
    expect(rewrite(request('/docs', 8092))).toBe('/docs');
  });
});
