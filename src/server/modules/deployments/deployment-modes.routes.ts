import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DEPLOYMENT_MODES, DeploymentModesResponseSchema } from '../../../contracts/deployments.js';
import type { AppContext } from '../../app-context.js';

export const deploymentModesRoutes = (ctx: AppContext): FastifyPluginAsyncZod =>
  async function deploymentModes(app) {
    app.get(
      '/deployment-modes',
      { schema: { tags: ['deployments'], summary: 'The deploy modes', response: { 200: DeploymentModesResponseSchema } } },
      () => ({ success: true as const, modes: DEPLOYMENT_MODES, cliAvailable: ctx.services.health.composeAvailable() }),
    );
  };
