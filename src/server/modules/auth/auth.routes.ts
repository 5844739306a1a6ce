// HTTP for the auth module: the seed's Authentication table plus users, API keys, stars and the activity log.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ActivityLogQuerySchema,
  ActivityLogResponseSchema,
  ApiKeyCreatedResponseSchema,
  ApiKeyIdParamsSchema,
  ApiKeyListQuerySchema,
  ApiKeysResponseSchema,
  ChangePasswordRequestSchema,
  CreateApiKeyRequestSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  MeResponseSchema,
  MessageResponseSchema,
  RegisterRequestSchema,
  RegisterResponseSchema,
  SessionIdParamsSchema,
  SessionsResponseSchema,
  SetPasswordRequestSchema,
  StarParamsSchema,
  StarsResponseSchema,
  UpdateUserRequestSchema,
  UserIdParamsSchema,
  UserResponseSchema,
  UsersResponseSchema,
} from '../../../contracts/auth.js';
import { SuccessSchema } from '../../../contracts/common.js';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import type { Principal } from '../../principal.js';
import type { RequestMeta } from './users.service.js';

const TAGS = ['auth'];

function metaOf(request: FastifyRequest): RequestMeta {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : null };
}

/** Set by the guard in front of every route below that calls it. */
function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', 'Authentication required', 'Send Authorization: Bearer <token>');
  return request.principal;
}

export const authRoutes = (ctx: AppContext): FastifyPluginAsyncZod =>
  async function auth(app) {
    const { auth: authService, users, apiKeys, activity } = ctx.services;
    const { guards } = ctx;

    // lastUsed/lastSeen are batched in memory; flush them periodically and when the server closes.
    ctx.services.authUsage.start();
    app.addHook('onClose', async () => ctx.services.authUsage.stop());

    app.post(
      '/auth/login',
      { schema: { tags: TAGS, summary: 'Log in and receive a JWT', body: LoginRequestSchema, response: { 200: LoginResponseSchema } } },
      (request) => authService.login(request.body, metaOf(request)),
    );

    app.post(
      '/auth/logout',
      { onRequest: guards.required(), schema: { tags: TAGS, summary: "End the token's session", response: { 200: SuccessSchema } } },
      (request) => {
        authService.logout(principalOf(request), metaOf(request));
        return { success: true as const };
      },
    );

    app.get(
      '/auth/me',
      { onRequest: guards.required(), schema: { tags: TAGS, summary: 'Your profile', response: { 200: MeResponseSchema } } },
      (request) => ({ success: true as const, user: authService.me(principalOf(request)) }),
    );

    app.post(
      '/auth/change-password',
      {
        onRequest: guards.required(),
        schema: {
          tags: TAGS,
          summary: 'Change your password (your other sessions end)',
          body: ChangePasswordRequestSchema,
          response: { 200: MessageResponseSchema },
        },
      },
      async (request) => {
        await authService.changePassword(principalOf(request), request.body, metaOf(request));
        return { success: true as const, message: 'Password changed successfully' };
      },
    );

    app.get(
      '/auth/sessions',
      { onRequest: guards.required(), schema: { tags: TAGS, summary: 'Your live sessions', response: { 200: SessionsResponseSchema } } },
      (request) => ({ success: true as const, sessions: authService.sessions(principalOf(request)) }),
    );

    app.delete(
      '/auth/sessions/:sessionId',
      {
        onRequest: guards.required(),
        schema: { tags: TAGS, summary: 'End one of your sessions', params: SessionIdParamsSchema, response: { 200: SuccessSchema } },
      },
      (request) => {
        authService.revokeSession(principalOf(request), request.params.sessionId, metaOf(request));
        return { success: true as const };
      },
    );

    // The seed's register and the original's POST /auth/users are one operation under two paths.
    for (const [url, summary] of [
      ['/auth/register', 'Create a user'],
      ['/auth/users', 'Create a user (the original product’s path; same as POST /auth/register)'],
    ] as const) {
      app.post(
        url,
        {
          onRequest: guards.admin(),
          schema: { tags: TAGS, summary, body: RegisterRequestSchema, response: { 200: RegisterResponseSchema } },
        },
        async (request) => {
          const user = await users.register(principalOf(request), request.body, metaOf(request));
          return { success: true as const, user: { id: user.id, username: user.username, email: user.email, role: user.role } };
        },
      );
    }

    app.get(
      '/auth/users',
      { onRequest: guards.admin(), schema: { tags: TAGS, summary: 'All users (a bare array)', response: { 200: UsersResponseSchema } } },
      () => users.list(),
    );

    app.patch(
      '/auth/users/:id',
      {
        onRequest: guards.admin(),
        schema: {
          tags: TAGS,
          summary: "Change a user's role or email",
          params: UserIdParamsSchema,
          body: UpdateUserRequestSchema,
          response: { 200: UserResponseSchema },
        },
      },
      (request) => ({ success: true as const, user: users.update(principalOf(request), request.params.id, request.body, metaOf(request)) }),
    );

    app.delete(
      '/auth/users/:id',
      {
        onRequest: guards.admin(),
        schema: {
          tags: TAGS,
          summary: 'Delete a user (never yourself or the last admin)',
          params: UserIdParamsSchema,
          response: { 200: SuccessSchema },
        },
      },
      (request) => {
        users.delete(principalOf(request), request.params.id, metaOf(request));
        return { success: true as const };
      },
    );

    app.put(
      '/auth/users/:id/password',
      {
        onRequest: guards.admin(),
        schema: {
          tags: TAGS,
          summary: "Set a user's password (their sessions end)",
          params: UserIdParamsSchema,
          body: SetPasswordRequestSchema,
          response: { 200: MessageResponseSchema },
        },
      },
      async (request) => {
        const password = (request.body.password ?? request.body.newPassword) as string;
        await users.setPassword(principalOf(request), request.params.id, password, metaOf(request));
        return { success: true as const, message: 'Password set; the user was signed out everywhere' };
      },
    );

    app.post(
      '/auth/api-keys',
      {
        onRequest: guards.required(),
        schema: {
          tags: TAGS,
          summary: 'Create an API key (shown once)',
          body: CreateApiKeyRequestSchema,
          response: { 200: ApiKeyCreatedResponseSchema },
        },
      },
      (request) => ({ success: true as const, ...apiKeys.create(principalOf(request), request.body, metaOf(request)) }),
    );

    app.get(
      '/auth/api-keys',
      {
        onRequest: guards.required(),
        schema: { tags: TAGS, summary: 'Your API keys', querystring: ApiKeyListQuerySchema, response: { 200: ApiKeysResponseSchema } },
      },
      (request) => ({ success: true as const, apiKeys: apiKeys.list(principalOf(request), request.query.all === 'true') }),
    );

    app.delete(
      '/auth/api-keys/:keyId',
      {
        onRequest: guards.required(),
        schema: { tags: TAGS, summary: 'Revoke an API key', params: ApiKeyIdParamsSchema, response: { 200: SuccessSchema } },
      },
      (request) => {
        apiKeys.revoke(principalOf(request), request.params.keyId, metaOf(request));
        return { success: true as const };
      },
    );

    app.get(
      '/auth/me/stars',
      { onRequest: guards.required(), schema: { tags: TAGS, summary: 'Your starred apps', response: { 200: StarsResponseSchema } } },
      (request) => ({ success: true as const, stars: users.stars(principalOf(request).userId) }),
    );

    app.post(
      '/auth/me/stars/:appId',
      {
        onRequest: guards.required(),
        schema: { tags: TAGS, summary: 'Star an app', params: StarParamsSchema, response: { 200: StarsResponseSchema } },
      },
      (request) => ({ success: true as const, stars: users.star(principalOf(request).userId, request.params.appId) }),
    );

    app.delete(
      '/auth/me/stars/:appId',
      {
        onRequest: guards.required(),
        schema: { tags: TAGS, summary: 'Unstar an app', params: StarParamsSchema, response: { 200: StarsResponseSchema } },
      },
      (request) => ({ success: true as const, stars: users.unstar(principalOf(request).userId, request.params.appId) }),
    );

    app.get(
      '/auth/activity-log',
      {
        onRequest: guards.admin(),
        schema: {
          tags: TAGS,
          summary: 'Who did what, newest first',
          querystring: ActivityLogQuerySchema,
          response: { 200: ActivityLogResponseSchema },
        },
      },
      (request) => {
        const { limit, offset, action, userId } = request.query;
        return { success: true as const, ...activity.list({ limit, offset, action, userId }), limit, offset };
      },
    );
  };
