// OpenAPI generation: @fastify/swagger collects every route through its onRoute hook, the zod
// transform turns the route schemas into JSON Schema 2020-12 (OpenAPI 3.1), and
// enrichOpenApiDocument adds errors, auth and examples. Registered on the root instance before
// any route module, so every route of every module is seen without being listed here.
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import { enrichOpenApiDocument, type OpenApiDocument } from './openapi-document.js';
import { ZodType } from 'zod';
import { authOf, isApiRoute, RouteInventory } from './route-inventory.js';
import { exampleFromSchema, type JsonSchema } from './schema-examples.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered so far, with its schema and auth (see route-inventory.ts). */
    routeInventory: RouteInventory;
  }
}

/** Served on both ports as they are: the dashboard port does not send them to the dashboard. */
export function isOpenApiPath(url: string): boolean {
  return /^\/(docs|openapi\.json)(\/|\?|$)/.test(url);
}

const DESCRIPTION = [
  'HomelabARR CE: a self-hosted app store and Docker manager. Deploy catalog apps with compose, manage containers and ports, attach cloud storage.',
  'The API port (BACKEND_PORT, 8092) serves these routes at the root; the dashboard port (FRONTEND_PORT, 8084) serves the same routes under `/api`.',
  'Errors always have the body `{error, details, code, requestId}`. Tokens: `Authorization: Bearer <jwt>` from POST /auth/login, or `Bearer hlr_…` (an API key).',
].join('\n\n');

const TAGS = [
  { name: 'health', description: 'Is everything working, and how to fix what is not' },
  { name: 'auth', description: 'Log in, sessions, users, API keys and starred apps' },
  { name: 'applications', description: 'The catalog, and deployed apps as a whole' },
  { name: 'deployments', description: 'Deploy an app and follow its progress' },
  { name: 'stream', description: 'Server-sent events of deployments' },
  { name: 'containers', description: 'Docker containers' },
  { name: 'ports', description: 'Host ports in use and free' },
  { name: 'mounts', description: 'Cloud storage through rclone (Enhanced Mount Manager)' },
  { name: 'operations', description: 'This document, Prometheus metrics' },
];

type RouteSchemas = { body?: unknown; response?: Record<string, unknown> } | undefined;
type JsonRouteSchemas = { body?: JsonSchema; response?: Record<string, JsonSchema> } | undefined;

/**
 * An example for the body and each 2xx response, made from the JSON Schema and kept only when the
 * route's own zod schema accepts it: the full value first, then with optional fields left out
 * until refinements such as "give expiresAt or expiresInDays, not both" pass.
 */
function attachCheckedExamples(zodSchemas: RouteSchemas, json: JsonRouteSchemas): void {
  if (!zodSchemas || !json) return;
  const checkedExample = (zodSchema: unknown, jsonSchema: JsonSchema): unknown => {
    if (!(zodSchema instanceof ZodType) || Array.isArray(jsonSchema.examples) || 'example' in jsonSchema) return undefined;
    const full = exampleFromSchema(jsonSchema);
    if (zodSchema.safeParse(full).success) return full;
    // Leave optional fields out one by one, last first, until a refinement is satisfied.
    if (full && typeof full === 'object' && !Array.isArray(full)) {
      const required = new Set(Array.isArray(jsonSchema.required) ? (jsonSchema.required as string[]) : []);
      const candidate = { ...(full as Record<string, unknown>) };
      for (const key of Object.keys(candidate).reverse()) {
        if (required.has(key)) continue;
        delete candidate[key];
        if (zodSchema.safeParse(candidate).success) return candidate;
      }
    }
    const minimal = exampleFromSchema(jsonSchema, { isRequiredOnly: true });
    return zodSchema.safeParse(minimal).success ? minimal : undefined;
  };
  if (json.body) {
    const example = checkedExample(zodSchemas.body, json.body);
    if (example !== undefined) json.body = { ...json.body, examples: [example] };
  }
  for (const [status, jsonSchema] of Object.entries(json.response ?? {})) {
    if (!/^2/.test(status)) continue;
    const example = checkedExample(zodSchemas.response?.[status], jsonSchema);
    if (example !== undefined) json.response = { ...json.response, [status]: { ...jsonSchema, examples: [example] } };
  }
}

export async function registerOpenApi(app: FastifyInstance, options: { version: string }): Promise<void> {
  const inventory = new RouteInventory();
  app.decorate('routeInventory', inventory);
  app.addHook('onRoute', (route) => inventory.add(route));

  const zodTransform = createJsonSchemaTransform({ skipList: [] });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'HomelabARR CE API', version: options.version, description: DESCRIPTION },
      servers: [
        { url: '/', description: 'API port (BACKEND_PORT, default 8092)' },
        { url: '/api', description: 'Dashboard port (FRONTEND_PORT, default 8084)' },
      ],
      tags: TAGS,
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A JWT from POST /auth/login, or an API key (hlr_ and 64 hex digits)',
          },
        },
      },
    },
    transform(input) {
      const { route } = input;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!methods.some((method) => isApiRoute({ method, url: input.url }))) return { schema: { hide: true }, url: input.url };
      const result = zodTransform(input);
      attachCheckedExamples(input.schema as RouteSchemas, result.schema as JsonRouteSchemas);
      const auth = authOf(route);
      const security = auth === 'none' ? [] : [{ bearerAuth: [] }];
      return { url: result.url, schema: { security, ...result.schema, 'x-auth': auth } as typeof result.schema };
    },
    transformObject(input) {
      if (!('openapiObject' in input)) throw new Error('Only OpenAPI 3 documents are generated');
      return enrichOpenApiDocument(input.openapiObject as OpenApiDocument);
    },
  });
}
