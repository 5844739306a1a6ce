import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApplicationsQuerySchema, ApplicationsResponseSchema, CatalogReloadResponseSchema, type ApplicationsResponse } from '../../../contracts/catalog.js';
import type { AppContext } from '../../app-context.js';

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === etag || tag === '*';
  });
}

export const catalogRoutes = (ctx: AppContext): FastifyPluginAsyncZod =>
  async function catalog(app) {
    const { catalog: catalogService } = ctx.services;
    app.addHook('onClose', async () => catalogService.close());

    app.get(
      '/applications',
      {
        schema: {
          tags: ['applications'],
          summary: 'The app catalog by category (?category=, ?search=); ETag and If-None-Match for cheap polling',
          querystring: ApplicationsQuerySchema,
          response: { 200: ApplicationsResponseSchema, 304: z.null().describe('Not modified') },
        },
      },
      async (request, reply) => {
        const { body, etag } = catalogService.listing(request.query);
        void reply.header('etag', etag).header('cache-control', 'no-cache');
        if (matchesEtag(request.headers['if-none-match'], etag)) return reply.status(304).send(null);
        // The body is serialized once per catalog version; a string with a JSON content type skips the per-request serializer.
        return reply.type('application/json; charset=utf-8').send(body as unknown as ApplicationsResponse);
      },
    );

    app.post(
      '/applications/reload',
      {
        schema: { tags: ['applications'], summary: 'Re-read every catalog folder now (admin)', response: { 200: CatalogReloadResponseSchema } },
        preHandler: ctx.guards.admin(),
      },
      async (request) => {
        const summary = catalogService.reload();
        ctx.services.activity.record({
          principal: request.principal,
          action: 'catalog.reload',
          target: null,
          ip: request.ip,
          details: { apps: summary.apps, invalid: summary.invalid.length },
        });
        return { success: true as const, ...summary };
      },
    );
  };
