import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AuthApiKeyBodySchema,
  AuthCompleteBodySchema,
  AuthStartBodySchema,
  AuthStartResultSchema,
  AuthStoredResultSchema,
  AuthTestBodySchema,
  AuthTestResultSchema,
  EnableProviderBodySchema,
  MountContainerParamsSchema,
  MountCostsSchema,
  MountPerformanceSchema,
  MountProviderParamsSchema,
  MountProvidersSchema,
  MountStatusSchema,
  ProviderMountResultSchema,
} from '../../../contracts/mounts.js';
import type { AppContext } from '../../app-context.js';
import type { MountActor } from './mounts.service.js';

const tags = ['mounts'];
const actorOf = (request: FastifyRequest): MountActor => ({ principal: request.principal, ip: request.ip });

/** The Enhanced Mount Manager: /enhanced-mount/:containerId/… over the mount container's rclone RC API. */
export const mountsRoutes = (ctx: AppContext): FastifyPluginAsyncZod =>
  async function mounts(app) {
    const { mounts: service, mountAuth } = ctx.services;
    const read = ctx.guards.conditional('viewer');
    const write = ctx.guards.conditional('user');

    app.get(
      '/enhanced-mount/:containerId/status',
      {
        onRequest: read,
        schema: {
          tags,
          summary: 'rclone version, remotes, mounts and VFS cache of a mount container',
          params: MountContainerParamsSchema,
          response: { 200: MountStatusSchema },
        },
      },
      async (request) => ({
        success: true as const,
        containerId: request.params.containerId,
        data: await service.status(request.params.containerId),
      }),
    );

    app.get(
      '/enhanced-mount/:containerId/providers',
      {
        onRequest: read,
        schema: {
          tags,
          summary: 'Supported storage providers, how each signs in, and which are configured',
          params: MountContainerParamsSchema,
          response: { 200: MountProvidersSchema },
        },
      },
      async (request) => ({
        success: true as const,
        containerId: request.params.containerId,
        data: await service.providers(request.params.containerId),
      }),
    );

    app.get(
      '/enhanced-mount/:containerId/costs',
      {
        onRequest: read,
        schema: {
          tags,
          summary: 'Estimated monthly storage cost per provider (docs/mounts.md)',
          params: MountContainerParamsSchema,
          response: { 200: MountCostsSchema },
        },
      },
      async (request) => ({
        success: true as const,
        containerId: request.params.containerId,
        data: await service.costs(request.params.containerId),
      }),
    );

    app.get(
      '/enhanced-mount/:containerId/performance',
      {
        onRequest: read,
        schema: {
          tags,
          summary: 'Transfer figures (core/stats) and VFS cache usage (vfs/stats)',
          params: MountContainerParamsSchema,
          response: { 200: MountPerformanceSchema },
        },
      },
      async (request) => ({
        success: true as const,
        containerId: request.params.containerId,
        data: await service.performance(request.params.containerId),
      }),
    );

    app.post(
      '/enhanced-mount/:containerId/providers/:provider/enable',
      {
        onRequest: write,
        schema: {
          tags,
          summary: 'Mount the provider into the shared mount folder (creating a remote that needs no credentials)',
          params: MountProviderParamsSchema,
          // No body at all is the common call: Fastify hands the validator null then.
          body: EnableProviderBodySchema.nullish(),
          response: { 200: ProviderMountResultSchema },
        },
      },
      async (request) => ({
        success: true as const,
        containerId: request.params.containerId,
        data: await service.enable(actorOf(request), request.params.containerId, request.params.provider, request.body ?? {}),
      }),
    );

    app.post(
      '/enhanced-mount/:containerId/providers/:provider/disable',
      {
        onRequest: write,
        schema: {
          tags,
          summary: 'Unmount the provider; its configuration stays',
          params: MountProviderParamsSchema,
          response: { 200: ProviderMountResultSchema },
        },
      },
      async (request) => ({
        success: true as const,
        containerId: request.params.containerId,
        data: await service.disable(actorOf(request), request.params.containerId, request.params.provider),
      }),
    );

    app.post(
      '/enhanced-mount/:containerId/auth/start',
      {
        onRequest: write,
        schema: {
          tags,
          summary: 'Start the OAuth authorization-code flow of google, dropbox, onedrive or box',
          params: MountContainerParamsSchema,
          body: AuthStartBodySchema,
          response: { 200: AuthStartResultSchema },
        },
      },
      async (request) => ({
        success: true as const,
        containerId: request.params.containerId,
        data: await mountAuth.startOAuth(request.params.containerId, request.body.provider, request.body.redirect_uri),
      }),
    );

    app.post(
      '/enhanced-mount/:containerId/auth/complete',
      {
        onRequest: write,
        schema: {
          tags,
          summary: 'Exchange the authorization code for a token and store the remote',
          params: MountContainerParamsSchema,
          body: AuthCompleteBodySchema,
          response: { 200: AuthStoredResultSchema },
        },
      },
      async (request) => ({
        success: true as const,
        containerId: request.params.containerId,
        data: await mountAuth.completeOAuth(
          actorOf(request),
          request.params.containerId,
          request.body.provider,
          request.body.auth_code,
          request.body.state,
          request.body.options,
        ),
      }),
    );

    app.post(
      '/enhanced-mount/:containerId/auth/api-key',
      {
        onRequest: write,
        schema: {
          tags,
          summary: 'Store a remote from keys or user and password; secrets are never echoed',
          params: MountContainerParamsSchema,
          body: AuthApiKeyBodySchema,
          response: { 200: AuthStoredResultSchema },
        },
      },
      async (request) => ({
        success: true as const,
        containerId: request.params.containerId,
        data: await mountAuth.storeCredentials(
          actorOf(request),
          request.params.containerId,
          request.body.provider,
          request.body.credentials,
        ),
      }),
    );

    app.post(
      '/enhanced-mount/:containerId/auth/test',
      {
        onRequest: write,
        schema: {
          tags,
          summary: 'List the remote for real: ok, latency, error (rejected credentials are a 400)',
          params: MountContainerParamsSchema,
          body: AuthTestBodySchema,
          response: { 200: AuthTestResultSchema },
        },
      },
      async (request) => ({
        success: true as const,
        containerId: request.params.containerId,
        data: await mountAuth.test(request.params.containerId, request.body.provider),
      }),
    );
  };
