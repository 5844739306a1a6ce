// Every route the app registers, seen through an onRoute hook on the root instance: the basis of
// the rule that each API route declares its schemas, and of the check that the OpenAPI document
// lists them all. Routes added by any module, now or later, land here without being named.
import type { FastifySchema, RouteOptions } from 'fastify';
import { WEB_PREFIX } from '../web/index.js';

export type AuthKind = 'none' | 'conditional' | 'required';

export type InventoryRoute = {
  method: string;
  url: string;
  schema: (FastifySchema & Record<string, unknown>) | undefined;
  auth: AuthKind;
  isApiRoute: boolean;
  /** Guards attached after onRequest (see lateGuards); empty when the route is sound. */
  lateGuards: string[];
};

// The guards of modules/auth/guards.ts are named functions; their names tell the auth column.
const GUARD_AUTH: Record<string, AuthKind> = { conditionalPrincipal: 'conditional', requirePrincipal: 'required' };

// Hooks that run after onRequest, when the body is being read (preParsing), parsed (preValidation)
// or validated (preHandler). A guard there would answer an anonymous caller's malformed request with
// a 400 that describes the schema before asking for a token; guards belong in onRequest.
const LATE_HOOKS = ['preParsing', 'preValidation', 'preHandler'] as const;

type HookOptions = Pick<RouteOptions, 'onRequest' | (typeof LATE_HOOKS)[number]>;

function hookNames(hooks: HookOptions[keyof HookOptions]): string[] {
  if (!hooks) return [];
  const list: unknown[] = Array.isArray(hooks) ? hooks : [hooks];
  return list.map((hook) => (typeof hook === 'function' ? hook.name : ''));
}

/** The auth column a route's onRequest guards or declared security imply. */
export function authOf(route: Pick<RouteOptions, 'onRequest' | 'schema'>): AuthKind {
  for (const name of hookNames(route.onRequest)) {
    const kind = GUARD_AUTH[name];
    if (kind) return kind;
  }
  const security = (route.schema as { security?: unknown[] } | undefined)?.security;
  return Array.isArray(security) && security.length > 0 ? 'required' : 'none';
}

/** "preHandler guard requirePrincipal" for each guard attached to a hook later than onRequest. */
export function lateGuards(route: HookOptions): string[] {
  return LATE_HOOKS.flatMap((hook) =>
    hookNames(route[hook])
      .filter((name) => GUARD_AUTH[name] !== undefined)
      .map((name) => `${hook} guard ${name}`),
  );
}

/**
 * API routes are what the OpenAPI document describes. Not API routes: the HEAD twins Fastify adds
 * to every GET, the CORS catch-all for OPTIONS, and the dashboard's static files under /_ui.
 */
export function isApiRoute(route: Pick<RouteOptions, 'method' | 'url'>): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (methods.every((method) => method === 'HEAD' || method === 'OPTIONS')) return false;
  return route.url !== WEB_PREFIX && !route.url.startsWith(`${WEB_PREFIX}/`);
}

/** Path parameters of a Fastify URL: /a/:id/b/:name → [id, name]. */
export function pathParameters(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1] as string);
}

/** What keeps a route from being documented and validated properly; empty when nothing does. */
export function schemaProblems(route: InventoryRoute): string[] {
  const { schema } = route;
  if (!schema) return ['declares no schema'];
  const problems: string[] = [];
  const responses = Object.keys((schema.response as Record<string, unknown> | undefined) ?? {});
  if (!responses.some((status) => /^2(\d\d|XX)$/i.test(status))) problems.push('declares no 2xx response schema');
  if (pathParameters(route.url).length > 0 && !schema.params) problems.push('has path parameters but no params schema');
  if (!schema.summary) problems.push('has no summary');
  if (!schema.tags || schema.tags.length === 0) problems.push('has no tags');
  return problems;
}

export class RouteInventory {
  readonly routes: InventoryRoute[] = [];

  add(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      this.routes.push({
        method,
        url: route.url,
        schema: route.schema as InventoryRoute['schema'],
        auth: authOf(route),
        isApiRoute: isApiRoute({ method, url: route.url }),
        lateGuards: lateGuards(route),
      });
    }
  }

  apiRoutes(): InventoryRoute[] {
    return this.routes.filter((route) => route.isApiRoute);
  }

  /** "GET /containers/:id: declares no 2xx response schema", for every API route with a problem. */
  problems(): string[] {
    return this.apiRoutes().flatMap((route) =>
      [
        ...schemaProblems(route),
        ...route.lateGuards.map((guard) => `runs its ${guard}: guards belong in onRequest, before the body is read`),
      ].map((problem) => `${route.method} ${route.url}: ${problem}`),
    );
  }
}
