import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ContainerActionSchema,
  ContainerListQuerySchema,
  ContainerListSchema,
  type ContainerList,
  ContainerLogsQuerySchema,
  ContainerLogsSchema,
  ContainerParamsSchema,
  ContainerRemoveQuerySchema,
  ContainerStatsResponseSchema,
  ContainerStopQuerySchema,
} from '../../../contracts/containers.js';
import type { AppContext } from '../../app-context.js';
import type { Actor } from './containers.service.js';

const actorOf = (request: FastifyRequest): Actor => ({ principal: request.principal, ip: request.ip });

export const containersRoutes = (ctx: AppContext): FastifyPluginAsyncZod =>
  async function containers(app) {
    const { containers: service } = ctx.services;
    const viewer = ctx.guards.conditional('viewer');
    const operator = ctx.guards.conditional('user');
    const tags = ['containers'];

    // The sampler's stats streams hold sockets to Docker open; they end with the server.
    app.addHook('onClose', async () => service.closeStatsStreams());

    app.get(
      '/containers',
      {
        schema: {
          tags,
          summary: 'All containers (docker ps -a); ?stats=true adds live stats',
          querystring: ContainerListQuerySchema,
          response: { 200: ContainerListSchema },
        },
        onRequest: viewer,
      },
      async (request, reply) => {
        const body = await service.listBody({ withStats: request.query.stats === true });
        // Serialized once for all concurrent requests; a string with a JSON content type skips the per-request serializer.
        return reply.type('application/json; charset=utf-8').send(body as unknown as ContainerList);
      },
    );

    app.get(
      '/containers/:id/stats',
      {
        schema: {
          tags,
          summary: 'Live stats of one container',
          params: ContainerParamsSchema,
          response: { 200: ContainerStatsResponseSchema },
        },
        onRequest: viewer,
      },
      async (request) => service.stats(request.params.id),
    );

    app.get(
      '/containers/:id/logs',
      {
        schema: {
          tags,
          summary: 'Recent log lines, stdout and stderr apart',
          params: ContainerParamsSchema,
          querystring: ContainerLogsQuerySchema,
          response: { 200: ContainerLogsSchema },
        },
        onRequest: viewer,
      },
      async (request) => service.logs(request.params.id, request.query),
    );

    app.post(
      '/containers/:id/start',
      {
        schema: {
          tags,
          summary: 'Start a container (a running one is left as is)',
          params: ContainerParamsSchema,
          response: { 200: ContainerActionSchema },
        },
        onRequest: operator,
      },
      async (request) => service.start(request.params.id, actorOf(request)),
    );

    app.post(
      '/containers/:id/stop',
      {
        schema: {
          tags,
          summary: 'Stop a container (a stopped one is left as is)',
          params: ContainerParamsSchema,
          querystring: ContainerStopQuerySchema,
          response: { 200: ContainerActionSchema },
        },
        onRequest: operator,
      },
      async (request) => service.stop(request.params.id, { timeoutSeconds: request.query.timeout }, actorOf(request)),
    );

    app.post(
      '/containers/:id/restart',
      {
        schema: {
          tags,
          summary: 'Restart a container',
          params: ContainerParamsSchema,
          querystring: ContainerStopQuerySchema,
          response: { 200: ContainerActionSchema },
        },
        onRequest: operator,
      },
      async (request) => service.restart(request.params.id, { timeoutSeconds: request.query.timeout }, actorOf(request)),
    );

    app.delete(
      '/containers/:id',
      {
        schema: {
          tags,
          summary: 'Remove a container',
          params: ContainerParamsSchema,
          querystring: ContainerRemoveQuerySchema,
          response: { 200: ContainerActionSchema },
        },
        onRequest: operator,
      },
      async (request) => service.remove(request.params.id, request.query, actorOf(request)),
    );
  };
