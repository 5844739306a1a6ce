import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { HealthSchema } from '../../../contracts/health.js';
import { hasRole } from '../../principal.js';
import type { AppContext } from '../../app-context.js';

export const healthRoutes = (ctx: AppContext): FastifyPluginAsyncZod =>
  async function health(app) {
    app.get(
      '/health',
      {
        schema: {
          tags: ['health'],
          summary: 'Health of Docker, compose, database and catalog',
          response: { 200: HealthSchema, 503: HealthSchema },
        },
      },
      async (request, reply) => {
        // Optional auth: an admin token reveals platform details, anything else (even an invalid token) does not.
        const principal = await Promise.resolve()
          .then(() => ctx.authenticator.authenticate(request))
          .catch(() => null);
        const { statusCode, body } = await ctx.services.health.check(principal !== null && hasRole(principal, 'admin'));
        return reply.status(statusCode).send(body);
      },
    );
  };
