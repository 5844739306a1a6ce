import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ProgressStreamSchema,
  StreamQuerySchema,
  SubscribeParamsSchema,
  SubscribeRequestSchema,
  SubscribeResponseSchema,
} from '../../../contracts/stream.js';
import type { AppContext } from '../../app-context.js';
import { AppError, notFound } from '../../errors.js';
import type { Principal } from '../../principal.js';
import type { StreamOwner } from './stream-owners.js';
import type { SseConnection } from './stream-types.js';

/** The hijacked response as the hub's connection: Fastify no longer touches it. */
function responseConnection(request: IncomingMessage, response: ServerResponse): SseConnection {
  return {
    write: (chunk) => {
      if (!response.writableEnded && !response.destroyed) response.write(chunk);
    },
    get bufferedBytes() {
      return response.writableLength;
    },
    onceDrained: (listener) => response.once('drain', listener),
    onClose: (listener) => {
      response.once('close', listener);
      request.once('close', listener);
    },
    end: () => response.end(),
    destroy: () => response.destroy(),
  };
}

/** The credential a stream is tied to: revoking it ends the stream. null with auth off. */
function ownerOf(principal: Principal | null): StreamOwner | null {
  return principal ? { userId: principal.userId, sessionId: principal.sessionId, apiKeyId: principal.apiKeyId } : null;
}

/** Credentials that do not check out leave the plain stream anonymous rather than refused. */
async function authenticateOrNull(ctx: AppContext, request: FastifyRequest): Promise<Principal | null> {
  try {
    return await ctx.authenticator.authenticate(request);
  } catch {
    return null;
  }
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // nginx (the two-container layout) would otherwise buffer the stream.
  'x-accel-buffering': 'no',
};

export const streamRoutes = (ctx: AppContext): FastifyPluginAsyncZod =>
  async function stream(app) {
    const { stream: hub, deployments } = ctx.services;
    const tags = ['stream'];

    // Open streams would keep the server from closing: end them first, cleanly.
    app.addHook('preClose', async () => hub.close());

    app.get(
      '/stream/progress',
      {
        schema: {
          tags,
          summary: 'Server-sent events of deployments (text/event-stream)',
          description:
            'First `retry: 3000`, then a `connected` event with the clientId. Deployment events arrive only for subscribed deployments: POST /stream/deployments/:id/subscribe, or ?deploymentId= (with a token when auth is on). Reconnect with ?clientId= and Last-Event-ID within 5 minutes to resume.',
          querystring: StreamQuerySchema,
          produces: ['text/event-stream'],
          response: { 200: ProgressStreamSchema },
        },
      },
      async (request, reply) => {
        const { deploymentId, clientId } = request.query;
        const header = request.headers['last-event-id'];
        const lastEventId = (typeof header === 'string' ? header : undefined) ?? request.query.lastEventId;
        if (ctx.config.authEnabled && !deploymentId) {
          // The stream itself is open to all; credentials, when sent, bind it to their session.
          request.principal ??= await authenticateOrNull(ctx, request);
        }
        if (deploymentId) {
          // A deployment's events are not open to all.
          if (ctx.config.authEnabled) {
            request.principal ??= await ctx.authenticator.authenticate(request);
            if (!request.principal) {
              throw new AppError(
                'UNAUTHENTICATED',
                'Authentication required',
                'Subscribing at connect needs a token: send Authorization: Bearer <token>, or access_token=<token> for EventSource',
              );
            }
          }
          if (!deployments.exists(deploymentId)) throw notFound('Deployment', `No deployment has the id ${deploymentId}`);
        }
        const owner = ownerOf(request.principal);
        hub.assertCanConnect({ ...(clientId ? { clientId } : {}), owner });

        const headers: Record<string, string | number | string[]> = {};
        for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
        reply.hijack();
        const response = reply.raw;
        request.raw.socket.setNoDelay(true);
        request.raw.socket.setKeepAlive(true);
        response.writeHead(200, { ...headers, ...SSE_HEADERS });
        hub.connect(responseConnection(request.raw, response), {
          ...(clientId ? { clientId } : {}),
          ...(lastEventId ? { lastEventId } : {}),
          ...(deploymentId ? { deploymentId } : {}),
          owner,
        });
      },
    );

    app.post(
      '/stream/deployments/:deploymentId/subscribe',
      {
        schema: {
          tags,
          summary: 'Subscribe a stream client to a deployment: its stored events replay in order, then live ones follow',
          params: SubscribeParamsSchema,
          body: SubscribeRequestSchema,
          response: { 200: SubscribeResponseSchema },
        },
        onRequest: ctx.guards.conditional('viewer'),
      },
      (request) => {
        const { deploymentId } = request.params;
        if (!deployments.exists(deploymentId)) throw notFound('Deployment', `No deployment has the id ${deploymentId}`);
        hub.subscribe(request.body.clientId, deploymentId, ownerOf(request.principal));
        return { success: true as const, deploymentId, clientId: request.body.clientId };
      },
    );
  };
