// POST /applications/:appId/stop, DELETE /applications/:appId, GET /applications/:appId/logs.
// (GET /applications, the catalog listing, belongs to the catalog module.)
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AppLogsQuerySchema,
  AppLogsResponseSchema,
  AppParamsSchema,
  RemoveAppQuerySchema,
  RemoveAppResponseSchema,
  StopAppResponseSchema,
} from '../../../contracts/deployments.js';
import type { AppContext } from '../../app-context.js';

export const appLifecycleRoutes = (ctx: AppContext): FastifyPluginAsyncZod =>
  async function appLifecycle(app) {
    const { appLifecycle: lifecycle } = ctx.services;
    const tags = ['applications'];

    app.post(
      '/applications/:appId/stop',
      {
        schema: { tags, summary: "Stop a deployed app's containers", params: AppParamsSchema, response: { 200: StopAppResponseSchema } },
        onRequest: ctx.guards.conditional('user'),
      },
      async (request) => {
        const { appId } = request.params;
        return { success: true as const, appId, ...(await lifecycle.stop(request.principal, appId, request.ip)) };
      },
    );

    app.delete(
      '/applications/:appId',
      {
        schema: {
          tags,
          summary: 'Remove a deployed app (containers, networks, and with ?removeVolumes=true its volumes; never APPFOLDER data)',
          params: AppParamsSchema,
          querystring: RemoveAppQuerySchema,
          response: { 200: RemoveAppResponseSchema },
        },
        onRequest: ctx.guards.conditional('user'),
      },
      async (request) => {
        const { appId } = request.params;
        return {
          success: true as const,
          appId,
          ...(await lifecycle.remove(request.principal, appId, request.query.removeVolumes, request.ip)),
        };
      },
    );

    app.get(
      '/applications/:appId/logs',
      {
        schema: {
          tags,
          summary: "The last log lines of a deployed app's containers",
          params: AppParamsSchema,
          querystring: AppLogsQuerySchema,
          response: { 200: AppLogsResponseSchema },
        },
        onRequest: ctx.guards.conditional('viewer'),
      },
      async (request) => {
        const { appId } = request.params;
        return { success: true as const, appId, ...(await lifecycle.logs(appId, request.query.lines)) };
      },
    );
  };
