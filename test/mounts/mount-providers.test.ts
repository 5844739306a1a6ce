// Unit: credentials → rclone remote settings, and the OAuth authorization URL.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/errors.js';
import { buildAuthorizationUrl, parseOAuthSettings, resolveOAuthProvider } from '../../src/server/modules/mounts/mount-oauth-settings.js';
import { credentialsToParameters } from '../../src/server/modules/mounts/mount-providers.js';

function failure(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('credentialsToParameters', () => {
  it('maps fields to rclone options, fills defaults and lists the secrets', () => {
    expect(credentialsToParameters('sftp', { host: 'nas.local', user: 'me', pass: 'pw' })).toEqual({
      parameters: { host: 'nas.local', port: '22', user: 'me', pass: 'pw' },
      secrets: ['pw'],
      fields: ['host', 'user', 'pass'],
      endpoints: [{ path: 'body.credentials.host', value: 'nas.local', kind: 'host' }],
    });
    expect(credentialsToParameters('s3', { access_key_id: 'AKIA', secret_access_key: 'sk', region: 'eu-west-1' })).toEqual({
      parameters: { provider: 'AWS', access_key_id: 'AKIA', secret_access_key: 'sk', region: 'eu-west-1' },
      secrets: ['sk'],
      fields: ['access_key_id', 'secret_access_key', 'region'],
      endpoints: [],
    });
    expect(credentialsToParameters('ftp', { host: '10.0.0.2', port: 2121, user: 'u', pass: 'p', tls: true }).parameters).toEqual({
      host: '10.0.0.2',
      port: '2121',
      user: 'u',
      pass: 'p',
      tls: 'true',
      explicit_tls: 'false',
    });
  });

  it('rejects missing, unknown and malformed fields in one 400 without echoing values', () => {
    const error = failure(() => credentialsToParameters('webdav', { url: 'ftp://x', pass: 'line\nbreak-secret', token: 'x' }));
    expect({ code: error.code, status: error.status, message: error.message, details: error.details, fields: error.extra.fields }).toEqual({
      code: 'VALIDATION_FAILED',
      status: 400,
      message: 'Invalid credentials',
      details:
        'body.credentials.token: is not a WebDAV setting (url, vendor, user, pass); body.credentials.url: must be an http or https URL; body.credentials.pass: must not contain control characters or line breaks',
      fields: [
        { path: 'body.credentials.token', message: 'is not a WebDAV setting (url, vendor, user, pass)' },
        { path: 'body.credentials.url', message: 'must be an http or https URL' },
        { path: 'body.credentials.pass', message: 'must not contain control characters or line breaks' },
      ],
    });
    expect(error.details).not.toContain('break-secret');
  });

  it('requires every required field', () => {
    const error = failure(() => credentialsToParameters('b2', {}));
    expect(error.details).toBe(
      'body.credentials.account: is required (Application key id (or account id)); body.credentials.key: is required (Application key)',
    );
  });
});

describe('OAuth settings', () => {
  const file = JSON.stringify({
    redirectUri: 'https://homelab.example/oauth',
    providers: {
      dropbox: { clientId: 'cid', clientSecret: 'cs', authUrl: 'http://127.0.0.1:9/authorize', tokenUrl: 'http://127.0.0.1:9/token' },
    },
  });

  it('builds the authorization URL with client, redirect, scope, state and the provider’s extra parameters', () => {
    const settings = resolveOAuthProvider(parseOAuthSettings(file, 'oauth.json'), 'dropbox');
    expect(settings.hasCustomEndpoints).toBe(true);
    const url = new URL(buildAuthorizationUrl(settings, 'the-state'));
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:9/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: 'https://homelab.example/oauth',
      scope: 'account_info.read files.metadata.read files.metadata.write files.content.read files.content.write',
      state: 'the-state',
      token_access_type: 'offline',
    });
  });

  it('is a 400 that says how to configure a provider without a client', () => {
    const error = failure(() => resolveOAuthProvider(parseOAuthSettings(null, 'RCLONE_OAUTH_CONFIG'), 'google'));
    expect({ code: error.code, message: error.message, details: error.details }).toEqual({
      code: 'BAD_REQUEST',
      message: 'No OAuth client configured for google',
      details:
        'Register an OAuth app with google, then put its clientId and clientSecret under providers.google in the JSON file RCLONE_OAUTH_CONFIG names (docs/mounts.md)',
    });
  });

  it('names the broken key of an invalid settings file', () => {
    const error = failure(() => parseOAuthSettings(JSON.stringify({ providers: { google: { clientId: 'x' } } }), '/etc/hlr/oauth.json'));
    expect(error.details).toBe(
      'Fix /etc/hlr/oauth.json (RCLONE_OAUTH_CONFIG): providers.google.clientSecret: Invalid input: expected string, received undefined',
    );
  });
});
