import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/errors.js';
import {
  OAuthNoTokenError,
  OAuthTokenRefusedError,
  OAuthUnreachableError,
  type OAuthTokenClient,
} from '../../src/server/infra/oauth-token-client.js';
import { appErrorFromOAuth, oauthWithAppErrors } from '../../src/server/app-errors/oauth.js';

function wireOf(error: unknown): { status: number; code: string; message: string; details: string; cause: unknown } {
  expect(error).toBeInstanceOf(AppError);
  const { status, code, message, details, cause } = error as AppError;
  return { status, code, message, details, cause };
}

describe('appErrorFromOAuth', () => {
  it.each([
    {
      error: new OAuthUnreachableError('oauth2.example.com', 'ECONNREFUSED'),
      wire: {
        status: 502,
        code: 'UPSTREAM_FAILED',
        message: 'The OAuth provider did not answer',
        details: 'Could not reach the token endpoint at oauth2.example.com (ECONNREFUSED)',
      },
    },
    {
      error: new OAuthTokenRefusedError('oauth2.example.com', 400, 'invalid_grant: Bad Request'),
      wire: {
        status: 400,
        code: 'BAD_REQUEST',
        message: 'The authorization code was rejected',
        details:
          'The token endpoint at oauth2.example.com answered: invalid_grant: Bad Request. Start again with auth/start; a code can be used only once.',
      },
    },
    {
      error: new OAuthTokenRefusedError('oauth2.example.com', 503, 'HTTP 503'),
      wire: {
        status: 502,
        code: 'UPSTREAM_FAILED',
        message: 'The OAuth provider failed',
        details: 'The token endpoint at oauth2.example.com answered: HTTP 503. Start again with auth/start; a code can be used only once.',
      },
    },
    {
      error: new OAuthNoTokenError('oauth2.example.com'),
      wire: {
        status: 502,
        code: 'UPSTREAM_FAILED',
        message: 'The OAuth provider gave no token',
        details: 'The token endpoint at oauth2.example.com answered without an access_token',
      },
    },
  ])('answers $error.name (HTTP $wire.status) as $wire.code', ({ error, wire }) => {
    expect(wireOf(appErrorFromOAuth(error))).toEqual({ ...wire, cause: error });
  });

  it('leaves errors it does not know unchanged', () => {
    const unknown = new TypeError('Invalid URL');
    expect(appErrorFromOAuth(unknown)).toBe(unknown);
  });
});

describe('oauthWithAppErrors', () => {
  it('rejects an exchange with the AppError', async () => {
    const failing: OAuthTokenClient = { exchangeCode: () => Promise.reject(new OAuthNoTokenError('oauth2.example.com')) };

    const error = await oauthWithAppErrors(failing)
      .exchangeCode({ tokenUrl: 'https://oauth2.example.com/token', code: 'c', redirectUri: 'r', clientId: 'i', clientSecret: 's' })
      .catch((failure: unknown) => failure);

    expect(wireOf(error)).toMatchObject({ code: 'UPSTREAM_FAILED', message: 'The OAuth provider gave no token' });
  });
});
