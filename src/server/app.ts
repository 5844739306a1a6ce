// buildApp: plugins, hooks, error handling and route modules. It never listens; main.ts does.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from './app-context.js';
import { answerClientError, answerFrameworkError, AppError, installErrorHandlers, sendError } from './errors.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { containersRoutes } from './modules/containers/containers.routes.js';
import { portsRoutes } from './modules/ports/ports.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { webRoutes, WEB_PREFIX } from './modules/web/web.routes.js';
import { deploymentModesRoutes } from './modules/deployments/deployment-modes.routes.js';
import { catalogRoutes } from './modules/catalog/catalog.routes.js';
import { deploymentsRoutes } from './modules/deployments/deployments.routes.js';
import { streamRoutes } from './modules/stream/stream.routes.js';
import { appLifecycleRoutes } from './modules/applications/app-lifecycle.routes.js';
import { mountsRoutes } from './modules/mounts/mounts.routes.js';
import { isOpenApiPath, registerOpenApi } from './modules/openapi/index.js';
import { openApiRoutes } from './modules/openapi/openapi.routes.js';
import { installHttpMetrics, metricsRoutes } from './modules/metrics/metrics.routes.js';
import { PRODUCT_VERSION } from './services.js';
import { createHostPolicy } from './host-policy.js';
import { readMachineIdentity, type MachineIdentity } from './infra/machine-identity.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export type BuildAppOptions = {
  logger?: FastifyServerOptions['logger'];
  /** Creates the HTTP server; main.ts uses it to serve the same handler on the dashboard port. */
  serverFactory?: FastifyServerOptions['serverFactory'];
  /** Sees every route as it is registered (the reliability suite fuzzes and authorizes each one). */
  onRoute?: (route: RouteOptions) => void;
  /** This machine's names and addresses for the Host check (read from the OS when not given). */
  machine?: MachineIdentity;
};

/** Log lines never carry credentials: headers are redacted and access_token is cut from URLs. */
export function loggerOptions(level: string, stream?: { write(line: string): void }): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', '*.password', '*.token', '*.secret'],
      censor: '[redacted]',
    },
    serializers: {
      req(request: { method: string; url: string; id: string; ip?: string }) {
        return { id: request.id, method: request.method, url: redactUrl(request.url), ip: request.ip };
      },
    },
  };
}

export function redactUrl(url: string): string {
  return url.replace(/([?&](?:access_token|token|password)=)[^&]*/gi, '$1[redacted]');
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

/**
 * The dashboard port serves the API under /api (prefix stripped) and everything else from the
 * built dashboard; the API port serves the API at the root. One route table serves both.
 */
export function createUrlRewriter(frontendPort: number | null): (req: IncomingMessage) => string {
  return (req) => {
    const url = req.url ?? '/';
    if (frontendPort === null || req.socket.localPort !== frontendPort) return url;
    if (url === '/api' || url.startsWith('/api/') || url.startsWith('/api?')) return url.slice(4) || '/';
    if (isOpenApiPath(url)) return url;
    return `${WEB_PREFIX}${url}`;
  };
}

/**
 * `curl -X POST -H 'Content-Type: application/json' …/stop` without a body is how many scripts call
 * action routes (the original backend accepted it), so an empty JSON body means "no body"; anything
 * else goes through Fastify's own parser. A `__proto__` (or `constructor.prototype`) key is valid
 * JSON, so it is dropped rather than refused as malformed: it can then pollute nothing.
 */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('remove', 'remove');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}

export async function buildApp(
  ctx: AppContext,
  options: BuildAppOptions & { frontendPort?: number | null } = {},
): Promise<FastifyInstance> {
  const { config } = ctx;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    },
    rewriteUrl: createUrlRewriter(options.frontendPort ?? null),
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    routerOptions: { maxParamLength: 500, ignoreTrailingSlash: true },
    // Bad percent-encodings and broken HTTP never reach a route; they still get the wire error body.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    ...(options.serverFactory ? { serverFactory: options.serverFactory } : {}),
  } as FastifyServerOptions) as unknown as FastifyInstance<Server, IncomingMessage, ServerResponse>;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null);
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  installErrorHandlers(app);
  acceptEmptyJsonBodies(app);
  // Before any route: both collect routes through onRoute hooks.
  await registerOpenApi(app, { version: PRODUCT_VERSION });
  installHttpMetrics(app, ctx.services.metrics);

  const hostPolicy = createHostPolicy({
    allowedHosts: config.allowedHosts,
    corsOrigins: config.corsOrigins,
    ...(options.machine ?? readMachineIdentity()),
  });
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value);
    const host = request.headers.host;
    if (!config.authEnabled) {
      // Without auth, a page whose name was re-pointed at this machine could drive the API: answer only our own names.
      if (!hostPolicy.isKnownHostHeader(host)) {
        throw new AppError(
          'FORBIDDEN',
          'Host not allowed',
          `This server does not answer to the host ${JSON.stringify(host ?? '')} while AUTH_ENABLED=false; add the name to ALLOWED_HOSTS to use it`,
        );
      }
    }
    const origin = request.headers.origin;
    if (!origin) return;
    const isConfigured = config.corsOrigins.includes('*') || config.corsOrigins.includes(origin);
    if (!isConfigured) {
      if (hostPolicy.isAllowedOrigin(origin, host)) return;
      throw new AppError(
        'FORBIDDEN',
        'Origin not allowed',
        `Requests from ${origin} are not allowed; add it to CORS_ORIGIN (or its host to ALLOWED_HOSTS, when it is this server's own name) to allow them`,
      );
    }
    void reply.header('access-control-allow-origin', config.corsOrigins.includes('*') ? '*' : origin);
    void reply.header('vary', 'Origin');
    void reply.header('access-control-expose-headers', 'x-request-id, retry-after, etag');
    if (request.method === 'OPTIONS') {
      void reply.header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
      void reply.header('access-control-allow-headers', 'authorization, content-type, x-request-id, last-event-id, if-none-match');
      void reply.header('access-control-max-age', '600');
      return reply.status(204).send();
    }
  });

  // A preflight from an allowed origin is answered by the hook above; any other OPTIONS is not an API route.
  app.options('*', async (request, reply) =>
    sendError(reply, new AppError('ROUTE_NOT_FOUND', 'Route not found', `OPTIONS ${request.url} is not an API route`)),
  );

  const api = app.withTypeProvider<ZodTypeProvider>();
  await api.register(healthRoutes(ctx));
  await api.register(containersRoutes(ctx));
  await api.register(portsRoutes(ctx));
  await api.register(deploymentModesRoutes(ctx));
  await api.register(authRoutes(ctx));
  await api.register(catalogRoutes(ctx));
  await api.register(deploymentsRoutes(ctx));
  await api.register(streamRoutes(ctx));
  await api.register(appLifecycleRoutes(ctx));
  await api.register(mountsRoutes(ctx));
  await api.register(openApiRoutes());
  await api.register(metricsRoutes(ctx));
  await app.register(webRoutes(config.webRoot, existsSync(config.webRoot)), { prefix: WEB_PREFIX });
  return app;
}
