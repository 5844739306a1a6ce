// What the guards and the stream routes ask of the auth module: turn a request's credentials into a
// principal. Plain types only: an HTTP request fits `CredentialCarrier` as it is, and so does a test's
// literal, without the auth services knowing the framework.
import type { Principal } from '../../principal.js';

/** The parts of a request that can carry credentials: headers and (for EventSource) the query. */
export type CredentialCarrier = {
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
};

export interface Authenticator {
  /**
   * null when the request carries no credentials; throws (or rejects with) UNAUTHENTICATED for bad
   * ones. Synchronous when no I/O is needed (a token seen before, an API key), so the guards on
   * every request do not wait on promises for the common case; `await` handles both forms.
   */
  authenticate(request: CredentialCarrier): Principal | null | Promise<Principal | null>;
}
