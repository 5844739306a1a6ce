// The auth column of every route, as the seed (shared/seed/api-reference.txt) and the wire contract
// (shared/design/wire-contract.md) give it, plus the routes this project added. The role matrix and
// the fuzzer run against the routes the app actually registers (collected with buildApp's onRoute),
// and fail for any route missing here: a new route must be classified before it ships.
import type { RouteOptions } from 'fastify';
import type { Role } from '../../src/contracts/common.js';

/** The seed's auth column. Conditional GETs need a viewer, Conditional mutations a user. */
export type AuthColumn = 'None' | 'Required' | 'Admin' | 'Conditional';

export type RouteRule = {
  auth: AuthColumn;
  /** The least role that passes (Required and Conditional). */
  minRole: Role | null;
  /** Where the column comes from: the seed table, the wire contract, or this project. */
  source: 'seed' | 'wire-contract' | 'project';
};

const none = (source: RouteRule['source']): RouteRule => ({ auth: 'None', minRole: null, source });
const required = (source: RouteRule['source']): RouteRule => ({ auth: 'Required', minRole: 'viewer', source });
const admin = (source: RouteRule['source']): RouteRule => ({ auth: 'Admin', minRole: 'admin', source });
const conditionalRead = (source: RouteRule['source']): RouteRule => ({ auth: 'Conditional', minRole: 'viewer', source });
const conditionalWrite = (source: RouteRule['source']): RouteRule => ({ auth: 'Conditional', minRole: 'user', source });

/** Keyed by "METHOD /path/:param" exactly as Fastify registers the route. */
export const ROUTE_AUTH: Readonly<Record<string, RouteRule>> = {
  // Seed: Authentication
  'POST /auth/login': none('seed'),
  'POST /auth/logout': required('seed'),
  'GET /auth/me': required('seed'),
  'POST /auth/change-password': required('seed'),
  'GET /auth/sessions': required('seed'),
  'DELETE /auth/sessions/:sessionId': required('seed'),
  'POST /auth/register': admin('seed'),
  'GET /auth/users': admin('seed'),
  // Wire contract: users, API keys, stars, activity log
  'POST /auth/users': admin('wire-contract'),
  'PATCH /auth/users/:id': admin('wire-contract'),
  'DELETE /auth/users/:id': admin('wire-contract'),
  'PUT /auth/users/:id/password': admin('wire-contract'),
  'POST /auth/api-keys': required('wire-contract'),
  'GET /auth/api-keys': required('wire-contract'),
  'DELETE /auth/api-keys/:keyId': required('wire-contract'),
  'GET /auth/me/stars': required('wire-contract'),
  'POST /auth/me/stars/:appId': required('wire-contract'),
  'DELETE /auth/me/stars/:appId': required('wire-contract'),
  'GET /auth/activity-log': admin('wire-contract'),
  // Seed: Applications
  'GET /applications': none('seed'),
  'POST /applications/:appId/stop': conditionalWrite('seed'),
  'DELETE /applications/:appId': conditionalWrite('seed'),
  'GET /applications/:appId/logs': conditionalRead('seed'),
  'POST /applications/reload': admin('project'),
  // Seed: Deployment
  'POST /deploy': conditionalWrite('seed'),
  'GET /deployment-modes': none('seed'),
  'GET /deployments/active': conditionalRead('seed'),
  'GET /deployments/:deploymentId/status': conditionalRead('seed'),
  'GET /deployments': conditionalRead('project'),
  'GET /deployments/:deploymentId/events': conditionalRead('project'),
  'POST /deployments/:deploymentId/cancel': conditionalWrite('project'),
  // Seed: Progress streaming. The bare stream is open; subscribing (a read of a deployment's
  // events, so a viewer may) is Conditional, at connect (?deploymentId=) as well as by POST.
  'GET /stream/progress': none('seed'),
  'POST /stream/deployments/:deploymentId/subscribe': conditionalRead('seed'),
  // Seed: Containers (stats and logs tightened from None to Conditional by the wire contract)
  'GET /containers': conditionalRead('seed'),
  'GET /containers/:id/stats': conditionalRead('wire-contract'),
  'GET /containers/:id/logs': conditionalRead('wire-contract'),
  'POST /containers/:id/start': conditionalWrite('seed'),
  'POST /containers/:id/stop': conditionalWrite('seed'),
  'POST /containers/:id/restart': conditionalWrite('seed'),
  'DELETE /containers/:id': conditionalWrite('seed'),
  // Seed: Ports, Health
  'GET /ports/check': none('seed'),
  'GET /ports/available': none('seed'),
  'GET /health': none('seed'),
  // Seed: Enhanced Mount Manager
  'GET /enhanced-mount/:containerId/status': conditionalRead('seed'),
  'GET /enhanced-mount/:containerId/providers': conditionalRead('seed'),
  'GET /enhanced-mount/:containerId/costs': conditionalRead('seed'),
  'GET /enhanced-mount/:containerId/performance': conditionalRead('seed'),
  'POST /enhanced-mount/:containerId/providers/:provider/enable': conditionalWrite('seed'),
  'POST /enhanced-mount/:containerId/providers/:provider/disable': conditionalWrite('seed'),
  'POST /enhanced-mount/:containerId/auth/start': conditionalWrite('seed'),
  'POST /enhanced-mount/:containerId/auth/complete': conditionalWrite('seed'),
  'POST /enhanced-mount/:containerId/auth/api-key': conditionalWrite('seed'),
  'POST /enhanced-mount/:containerId/auth/test': conditionalWrite('seed'),
  // Operations: the API's own description is public like the seed's reference; metrics need an
  // admin (or METRICS_TOKEN, tested by the metrics module).
  'GET /openapi.json': none('project'),
  'GET /docs': none('project'),
  'GET /metrics': admin('project'),
  // CORS preflights (answered by the onRequest hook, or a JSON 404)
  'OPTIONS *': none('project'),
};

export type RegisteredRoute = {
  method: string;
  url: string;
  key: string;
  /** The querystring schema's keys (zod object shape), for the fuzzer. */
  queryKeys: string[];
};

/** The dashboard's static files (served under /_ui, reached from the dashboard port): open, and not API routes. */
export function isDashboardRoute(url: string): boolean {
  return url === '/_ui' || url.startsWith('/_ui/');
}

/** Collects routes as buildApp registers them; HEAD routes Fastify adds for GETs follow their GET. */
export function createRouteCollector(): { onRoute: (route: RouteOptions) => void; routes: RegisteredRoute[] } {
  const routes: RegisteredRoute[] = [];
  return {
    routes,
    onRoute(route) {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method === 'HEAD' || isDashboardRoute(route.url)) continue;
        const key = `${method} ${route.url}`;
        const querystring = route.schema?.querystring as { shape?: Record<string, unknown> } | undefined;
        const queryKeys = Object.keys(querystring?.shape ?? {});
        if (!routes.some((known) => known.key === key)) routes.push({ method, url: route.url, key, queryKeys });
      }
    },
  };
}

/** Routes the app registers that this table does not classify (the test reports them by name). */
export function unclassifiedRoutes(routes: RegisteredRoute[]): string[] {
  return routes.filter((route) => ROUTE_AUTH[route.key] === undefined).map((route) => route.key);
}
