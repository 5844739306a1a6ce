import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MetricsTextSchema } from '../../../contracts/operations.js';
import type { AppContext } from '../../app-context.js';
import type { MetricsService } from './metrics.service.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Records every answered request by route pattern (never the raw URL) and status. Added on the
 * root instance, so routes of every module are covered, including ones added later.
 */
export function installHttpMetrics(app: FastifyInstance, metrics: MetricsService): void {
  // A callback hook, not an async one: no promise per request on the hot path.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

export const metricsRoutes = (ctx: AppContext): FastifyPluginAsyncZod =>
  async function metrics(app) {
    const service = ctx.services.metrics;
    const admin = ctx.guards.admin();

    app.addHook('onClose', async () => service.close());

    app.get(
      '/metrics',
      {
        schema: {
          tags: ['operations'],
          summary: 'Prometheus metrics (admin token or METRICS_TOKEN)',
          description:
            'HTTP requests and latency by route and status, deployments by outcome and duration, SSE clients, Docker and compose reachability, catalog size, containers of deployed apps, event-loop delay and process memory. Send `Authorization: Bearer <METRICS_TOKEN>` (Prometheus `authorization.credentials_file`) or an admin JWT or API key. docs/operations.md lists every metric.',
          produces: ['text/plain'],
          security: [{ bearerAuth: [] }],
          response: { 200: MetricsTextSchema },
        },
        // onRequest like every guard: the token is checked before anything else of the request is read.
        onRequest: function metricsAccess(this: unknown, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
          if (service.isMetricsToken(request.headers.authorization)) return done();
          admin.call(this as never, request, reply, done);
        },
      },
      async (_request, reply) => reply.type(METRICS_CONTENT_TYPE).send(await service.scrape()),
    );
  };
