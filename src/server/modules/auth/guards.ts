// Route guards for the seed's auth column: None / Required / Admin / Conditional. Routes attach them
// as `onRequest` hooks: Fastify parses and validates the body, params and query only after
// onRequest, so an anonymous or under-privileged caller gets 401/403 before any 400 or 415, and
// never has a body parsed (route-inventory.ts reports a guard attached to any later hook).
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Role } from '../../../contracts/common.js';
import { AppError } from '../../errors.js';

export type Principal = {
  userId: string;
  username: string;
  role: Role;
  /** Set when the request carries a JWT: the server-side session it names. */
  sessionId: string | null;
  /** Set when the request carries an API key. */
  apiKeyId: string | null;
};

/** Turns a request's credentials into a principal. Implemented by the auth module. */
export interface Authenticator {
  /** null when the request carries no credentials; throws UNAUTHENTICATED for bad ones. */
  authenticate(request: FastifyRequest): Promise<Principal | null>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const ROLE_RANK: Record<Role, number> = { viewer: 0, user: 1, admin: 2 };

export function hasRole(principal: Principal, minimum: Role): boolean {
  return ROLE_RANK[principal.role] >= ROLE_RANK[minimum];
}

const unauthenticated = (): AppError =>
  new AppError('UNAUTHENTICATED', 'Authentication required', 'Send Authorization: Bearer <token> from POST /auth/login, or an API key');

const forbidden = (minimum: Role): AppError =>
  new AppError('FORBIDDEN', 'Not allowed', `This action needs the ${minimum} role or higher`);

export type Guards = {
  /** Auth column "Required": any signed-in principal, at least `minimum`. */
  required(minimum?: Role): onRequestAsyncHookHandler;
  /** Auth column "Admin". */
  admin(): onRequestAsyncHookHandler;
  /** Auth column "Conditional": like required when AUTH_ENABLED is true, open when false. */
  conditional(minimum?: Role): onRequestAsyncHookHandler;
};

export function createGuards(authenticator: Authenticator, authEnabled: boolean): Guards {
  async function resolve(request: FastifyRequest): Promise<Principal | null> {
    if (request.principal) return request.principal;
    request.principal = await authenticator.authenticate(request);
    return request.principal;
  }
  const require = (minimum: Role): onRequestAsyncHookHandler =>
    async function requirePrincipal(request: FastifyRequest, _reply: FastifyReply) {
      const principal = await resolve(request);
      if (!principal) throw unauthenticated();
      if (!hasRole(principal, minimum)) throw forbidden(minimum);
    };
  return {
    required: (minimum = 'viewer') => require(minimum),
    admin: () => require('admin'),
    conditional: (minimum = 'viewer') => {
      const guard = require(minimum);
      return async function conditionalPrincipal(request: FastifyRequest, reply: FastifyReply) {
        if (authEnabled) return guard.call(this, request, reply);
        // With auth off, a caller who still sends a token is known (for the activity log), but nobody is refused.
        await resolve(request).catch(() => null);
      };
    },
  };
}
