// A schema-valid request for every route (route-table.ts keys): what the role matrix sends, and the
// baseline the fuzzer mutates one part at a time. Ids name nothing that exists, so whatever a guard
// lets through ends in the handler's own 2xx, 400 or 404, and nothing real is changed.
import { TEST_PASSWORD } from '../helpers/auth.js';

export const MISSING_UUID = '00000000-0000-4000-8000-000000000000';

export type Sample = {
  params: Record<string, string>;
  /** Without the "?". */
  query: string;
  body?: Record<string, unknown>;
};

export type SampleContext = {
  /** The body POST /deploy sends (the matrix names an app that does not exist; the fuzzer a real one). */
  deployBody: Record<string, unknown>;
  /** An app id for the star and application routes. */
  appId: string;
  /** A missing container id or name. */
  containerId: string;
  username: () => string;
};

let counter = 0;

export const MATRIX_CONTEXT: SampleContext = {
  deployBody: { appId: 'hlrtest-not-in-catalog', config: {}, mode: { type: 'standard' } },
  appId: 'hlrtest-web',
  containerId: 'matrix-missing',
  username: () => `matrix-${(counter += 1)}`,
};

function samples(context: SampleContext): Record<string, () => Sample> {
  const none = (params: Record<string, string> = {}, query = ''): Sample => ({ params, query });
  const withBody = (body: Record<string, unknown>, params: Record<string, string> = {}): Sample => ({ params, query: '', body });
  const container = { id: context.containerId };
  const mount = { containerId: context.containerId };
  return {
    'POST /auth/login': () => withBody({ username: 'test-viewer', password: TEST_PASSWORD }),
    'POST /auth/logout': () => none(),
    'GET /auth/me': () => none(),
    'POST /auth/change-password': () => withBody({ currentPassword: 'not-the-password', newPassword: 'matrix-password-1' }),
    'GET /auth/sessions': () => none(),
    'DELETE /auth/sessions/:sessionId': () => none({ sessionId: `ses_${'0'.repeat(32)}` }),
    'POST /auth/register': () => withBody({ username: context.username(), password: 'matrix-password-1', role: 'viewer' }),
    'GET /auth/users': () => none(),
    'POST /auth/users': () => withBody({ username: context.username(), password: 'matrix-password-1', role: 'viewer' }),
    'PATCH /auth/users/:id': () => withBody({ role: 'viewer' }, { id: 'usr_missing' }),
    'DELETE /auth/users/:id': () => none({ id: 'usr_missing' }),
    'PUT /auth/users/:id/password': () => withBody({ password: 'matrix-password-2' }, { id: 'usr_missing' }),
    'POST /auth/api-keys': () => withBody({ label: 'matrix key' }),
    'GET /auth/api-keys': () => none(),
    'DELETE /auth/api-keys/:keyId': () => none({ keyId: `key_${'0'.repeat(16)}` }),
    'GET /auth/me/stars': () => none(),
    'POST /auth/me/stars/:appId': () => none({ appId: context.appId }),
    'DELETE /auth/me/stars/:appId': () => none({ appId: context.appId }),
    'GET /auth/activity-log': () => none({}, 'limit=5'),
    'GET /applications': () => none(),
    'POST /applications/:appId/stop': () => none({ appId: context.appId }),
    'DELETE /applications/:appId': () => none({ appId: context.appId }),
    'GET /applications/:appId/logs': () => none({ appId: context.appId }, 'lines=10'),
    'POST /applications/reload': () => none(),
    'POST /deploy': () => withBody(context.deployBody),
    'GET /deployment-modes': () => none(),
    'GET /deployments/active': () => none(),
    'GET /deployments': () => none({}, 'limit=5'),
    'GET /deployments/:deploymentId/status': () => none({ deploymentId: MISSING_UUID }),
    'GET /deployments/:deploymentId/events': () => none({ deploymentId: MISSING_UUID }),
    'POST /deployments/:deploymentId/cancel': () => none({ deploymentId: MISSING_UUID }),
    'GET /stream/progress': () => none({}, `deploymentId=${MISSING_UUID}`),
    'POST /stream/deployments/:deploymentId/subscribe': () => withBody({ clientId: 'matrix-client' }, { deploymentId: MISSING_UUID }),
    'GET /containers': () => none(),
    'GET /containers/:id/stats': () => none(container),
    'GET /containers/:id/logs': () => none(container, 'tail=10'),
    'POST /containers/:id/start': () => none(container),
    'POST /containers/:id/stop': () => none(container),
    'POST /containers/:id/restart': () => none(container),
    'DELETE /containers/:id': () => none(container),
    'GET /ports/check': () => none(),
    'GET /ports/available': () => none({}, 'start=20000&end=20050'),
    'GET /health': () => none(),
    'GET /enhanced-mount/:containerId/status': () => none(mount),
    'GET /enhanced-mount/:containerId/providers': () => none(mount),
    'GET /enhanced-mount/:containerId/costs': () => none(mount),
    'GET /enhanced-mount/:containerId/performance': () => none(mount),
    'POST /enhanced-mount/:containerId/providers/:provider/enable': () => none({ ...mount, provider: 'webdav' }),
    'POST /enhanced-mount/:containerId/providers/:provider/disable': () => none({ ...mount, provider: 'webdav' }),
    'POST /enhanced-mount/:containerId/auth/start': () => withBody({ provider: 'google' }, mount),
    'POST /enhanced-mount/:containerId/auth/complete': () =>
      withBody({ provider: 'google', auth_code: 'code', state: 'a'.repeat(32) }, mount),
    'POST /enhanced-mount/:containerId/auth/api-key': () =>
      withBody({ provider: 'webdav', credentials: { url: 'http://127.0.0.1:9/', user: 'u', pass: 'p' } }, mount),
    'POST /enhanced-mount/:containerId/auth/test': () => withBody({ provider: 'webdav' }, mount),
    'GET /openapi.json': () => none(),
    'GET /docs': () => none(),
    'GET /metrics': () => none(),
    'OPTIONS *': () => none({ '*': 'containers' }),
  };
}

export function sampleFor(key: string, context: SampleContext = MATRIX_CONTEXT): Sample {
  const sample = samples(context)[key];
  if (!sample) throw new Error(`No sample request for ${key}: add one to test/reliability/route-samples.ts`);
  return sample();
}

/** The route's URL with its parameters put in (values are sent as given: encode them first if needed). */
export function fillUrl(routeUrl: string, params: Record<string, string>, query = ''): string {
  const path = routeUrl.replace(/:([A-Za-z]+)|\*/g, (match: string, name: string | undefined) => params[name ?? '*'] ?? match);
  return query ? `${path}?${query}` : path;
}

/** Names of the route's path parameters, in order. */
export function paramNames(routeUrl: string): string[] {
  return [...routeUrl.matchAll(/:([A-Za-z]+)|\*/g)].map((match) => match[1] ?? '*');
}
