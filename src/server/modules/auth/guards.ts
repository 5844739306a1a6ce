// Route guards for the seed's auth column: None / Required / Admin / Conditional. Routes attach them
// as `onRequest` hooks: Fastify parses and validates the body, params and query only after
// onRequest, so an anonymous or under-privileged caller gets 401/403 before any 400 or 415, and
// never has a body parsed (route-inventory.ts reports a guard attached to any later hook).
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import type { Role } from '../../../contracts/common.js';
import { AppError } from '../../errors.js';
import { hasRole, type Principal } from '../../principal.js';
import type { Authenticator } from './authenticator.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const unauthenticated = (): AppError =>
  new AppError('UNAUTHENTICATED', 'Authentication required', 'Send Authorization: Bearer <token> from POST /auth/login, or an API key');

const forbidden = (minimum: Role): AppError => new AppError('FORBIDDEN', 'Not allowed', `This action needs the ${minimum} role or higher`);

export type Guards = {
  /** Auth column "Required": any signed-in principal, at least `minimum`. */
  required(minimum?: Role): onRequestHookHandler;
  /** Auth column "Admin". */
  admin(): onRequestHookHandler;
  /** Auth column "Conditional": like required when AUTH_ENABLED is true, open when false. */
  conditional(minimum?: Role): onRequestHookHandler;
};

/**
 * Calls `done` with the outcome of `then(produce())`, synchronously when `produce` returns a value
 * (or throws) rather than a promise. The guards are callback-style hooks for this reason: an async
 * hook costs a request several promise turns even when the principal is already known, which was
 * most of what auth added to a cheap route.
 */
function settle<T>(produce: () => T | Promise<T>, then: (resolved: T) => void, done: HookHandlerDoneFunction): void {
  const finish = (resolved: T): void => {
    try {
      then(resolved);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };
  let value: T | Promise<T>;
  try {
    value = produce();
  } catch (error) {
    done(error as Error);
    return;
  }
  if (value instanceof Promise) value.then(finish, (error: Error) => done(error));
  else finish(value);
}

export function createGuards(authenticator: Authenticator, authEnabled: boolean): Guards {
  /** The request's principal, resolved once per request whichever guards run. */
  function resolve(request: FastifyRequest): Principal | null | Promise<Principal | null> {
    if (request.principal) return request.principal;
    const result = authenticator.authenticate(request);
    if (result instanceof Promise) {
      return result.then((principal) => {
        request.principal = principal;
        return principal;
      });
    }
    request.principal = result;
    return result;
  }
  const require = (minimum: Role): onRequestHookHandler =>
    function requirePrincipal(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
      settle(
        () => resolve(request),
        (principal) => {
          if (!principal) throw unauthenticated();
          if (!hasRole(principal, minimum)) throw forbidden(minimum);
        },
        done,
      );
    };
  return {
    required: (minimum = 'viewer') => require(minimum),
    admin: () => require('admin'),
    conditional: (minimum = 'viewer') => {
      const guard = require(minimum);
      return function conditionalPrincipal(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
        if (authEnabled) return guard.call(this, request, reply, done);
        // With auth off, a caller who still sends a token is known (for the activity log), but nobody is refused.
        settle(
          () => resolve(request),
          () => {},
          () => done(),
        );
      };
    },
  };
}
