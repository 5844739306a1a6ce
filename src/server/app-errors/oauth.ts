// How the API answers an OAuth provider's token endpoint failing. The token client throws facts
// (infra/oauth-token-client.ts); this gives them a wire code, a title and advice. createServices
// hands the mount auth service the client through oauthWithAppErrors.
import { AppError } from '../errors.js';
import { OAuthNoTokenError, OAuthTokenRefusedError, OAuthUnreachableError, type OAuthTokenClient } from '../infra/oauth-token-client.js';

/** The AppError for one of the token client's errors; anything else unchanged. */
export function appErrorFromOAuth(error: unknown): unknown {
  if (error instanceof OAuthUnreachableError) {
    return new AppError(
      'UPSTREAM_FAILED',
      'The OAuth provider did not answer',
      `Could not reach the token endpoint at ${error.host} (${error.reason})`,
      { cause: error },
    );
  }
  if (error instanceof OAuthTokenRefusedError) {
    // A 4xx is the code (used, expired, for another redirect): the user starts again. A 5xx is the provider's.
    const isRejection = error.httpStatus >= 400 && error.httpStatus < 500;
    return new AppError(
      isRejection ? 'BAD_REQUEST' : 'UPSTREAM_FAILED',
      isRejection ? 'The authorization code was rejected' : 'The OAuth provider failed',
      `The token endpoint at ${error.host} answered: ${error.reason}. Start again with auth/start; a code can be used only once.`,
      { cause: error },
    );
  }
  if (error instanceof OAuthNoTokenError) {
    return new AppError(
      'UPSTREAM_FAILED',
      'The OAuth provider gave no token',
      `The token endpoint at ${error.host} answered without an access_token`,
      {
        cause: error,
      },
    );
  }
  return error;
}

/** The same client, every failure passed through appErrorFromOAuth. */
export function oauthWithAppErrors(client: OAuthTokenClient): OAuthTokenClient {
  return {
    async exchangeCode(request) {
      try {
        return await client.exchangeCode(request);
      } catch (error) {
        throw appErrorFromOAuth(error);
      }
    },
  };
}
