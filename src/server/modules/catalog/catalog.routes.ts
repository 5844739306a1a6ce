import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApplicationsQuerySchema,
  ApplicationsResponseSchema,
  CatalogReloadResponseSchema,
  type ApplicationsResponse,
} from '../../../contracts/catalog.js';
import type { AppContext } from '../../app-context.js';

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === etag || tag === '*';
  });
}

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const isRefused = params.some((param) => /^\s*q=0(\.0*)?\s*$/.test(param));
    return (coding === 'gzip' || coding === '*') && !isRefused;
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
          response: {
            200: ApplicationsResponseSchema,
            304: z.null().describe('Not modified: the If-None-Match ETag is current (no body)'),
          },
        },
      },
      async (request, reply) => {
        const listing = catalogService.listing(request.query);
        void reply.header('etag', listing.etag).header('cache-control', 'no-cache').header('vary', 'Accept-Encoding');
        // No payload at all: a serialized null would announce a 4-byte body that a 304 must not have.
        if (matchesEtag(request.headers['if-none-match'], listing.etag)) return reply.status(304).send(undefined as unknown as null);
        // The body is serialized (and gzipped) once per catalog version; a string or buffer with a JSON
        // content type skips the per-request serializer.
        void reply.type('application/json; charset=utf-8');
        if (acceptsGzip(request.headers['accept-encoding'])) {
          return reply.header('content-encoding', 'gzip').send(listing.gzipped() as unknown as ApplicationsResponse);
        }
        return reply.send(listing.bytes() as unknown as ApplicationsResponse);
      },
    );

    app.post(
      '/applications/reload',
      {
        schema: {
          tags: ['applications'],
          summary: 'Re-read every catalog folder now (admin)',
          response: { 200: CatalogReloadResponseSchema },
        },
        onRequest: ctx.guards.admin(),
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
