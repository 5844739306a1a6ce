import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ActiveDeploymentsResponseSchema,
  CancelDeploymentResponseSchema,
  DeployAcceptedSchema,
  DeploymentEventsQuerySchema,
  DeploymentEventsResponseSchema,
  DeploymentListQuerySchema,
  DeploymentListResponseSchema,
  DeploymentParamsSchema,
  DeploymentStatusResponseSchema,
  DeployRequestSchema,
} from '../../../contracts/deployments.js';
import type { AppContext } from '../../app-context.js';

export const deploymentsRoutes = (ctx: AppContext): FastifyPluginAsyncZod =>
  async function deployments(app) {
    const { deployments } = ctx.services;
    const tags = ['deployments'];

    app.post(
      '/deploy',
      {
        schema: {
          tags,
          summary: 'Deploy an app (answers at once; follow the stream or the status)',
          body: DeployRequestSchema,
          response: { 200: DeployAcceptedSchema },
        },
        onRequest: ctx.guards.conditional('user'),
      },
      (request) => deployments.start(request.principal, request.body, request.ip),
    );

    app.get(
      '/deployments/active',
      {
        schema: { tags, summary: 'Queued and in-progress deployments', response: { 200: ActiveDeploymentsResponseSchema } },
        onRequest: ctx.guards.conditional('viewer'),
      },
      () => ({ success: true as const, deployments: deployments.active() }),
    );

    app.get(
      '/deployments',
      {
        schema: {
          tags,
          summary: 'Deployment history, newest first',
          querystring: DeploymentListQuerySchema,
          response: { 200: DeploymentListResponseSchema },
        },
        onRequest: ctx.guards.conditional('viewer'),
      },
      (request) => ({
        success: true as const,
        ...deployments.list(request.query),
        limit: request.query.limit,
        offset: request.query.offset,
      }),
    );

    app.get(
      '/deployments/:deploymentId/status',
      {
        schema: {
          tags,
          summary: 'Status of one deployment',
          params: DeploymentParamsSchema,
          response: { 200: DeploymentStatusResponseSchema },
        },
        onRequest: ctx.guards.conditional('viewer'),
      },
      (request) => ({ success: true as const, deployment: deployments.get(request.params.deploymentId) }),
    );

    app.get(
      '/deployments/:deploymentId/events',
      {
        schema: {
          tags,
          summary: 'The stored progress events of one deployment (what the stream replays)',
          params: DeploymentParamsSchema,
          querystring: DeploymentEventsQuerySchema,
          response: { 200: DeploymentEventsResponseSchema },
        },
        onRequest: ctx.guards.conditional('viewer'),
      },
      (request) => ({
        success: true as const,
        deploymentId: request.params.deploymentId,
        events: deployments
          .events(request.params.deploymentId, request.query.after, request.query.limit)
          .map((event) => ({ id: event.id, event: event.event, data: event.data })),
      }),
    );

    app.post(
      '/deployments/:deploymentId/cancel',
      {
        schema: {
          tags,
          summary: 'Cancel a queued or running deployment',
          params: DeploymentParamsSchema,
          response: { 200: CancelDeploymentResponseSchema },
        },
        onRequest: ctx.guards.conditional('user'),
      },
      async (request) => {
        const deployment = await deployments.cancel(request.principal, request.params.deploymentId, request.ip);
        return { success: true as const, message: `Deployment ${deployment.id} is ${deployment.status}`, deployment };
      },
    );
  };
