import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { PortAvailableQuerySchema, PortAvailableSchema, PortCheckSchema } from '../../../contracts/ports.js';
import type { AppContext } from '../../app-context.js';

// Auth column None (seed): port numbers in use say nothing a port scan would not.
export const portsRoutes = (ctx: AppContext): FastifyPluginAsyncZod =>
  async function ports(app) {
    const { ports: service } = ctx.services;
    const tags = ['ports'];

    app.get(
      '/ports/check',
      {
        schema: {
          tags,
          summary: 'Host ports in use: published by containers or listened on by the host',
          response: { 200: PortCheckSchema },
        },
      },
      async () => service.check(),
    );

    app.get(
      '/ports/available',
      {
        schema: {
          tags,
          summary: 'The first free port in a range',
          querystring: PortAvailableQuerySchema,
          response: { 200: PortAvailableSchema },
        },
      },
      async (request) => ({ success: true as const, availablePort: await service.findAvailable(request.query.start, request.query.end) }),
    );
  };
