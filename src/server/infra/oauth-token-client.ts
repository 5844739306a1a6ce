// The token endpoint of an OAuth provider (authorization-code grant), and the settings file that
// names providers' endpoints and client credentials. Neither a code nor a token is ever logged.
import { existsSync, readFileSync } from 'node:fs';

export type OAuthCodeExchange = {
  tokenUrl: string;
  code: string;
  redirectUri: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
};

/** The token endpoint's answer (RFC 6749 §5.1), as far as rclone needs it. */
export type OAuthTokenResponse = {
  accessToken: string;
  tokenType: string;
  refreshToken: string | null;
  expiresInSeconds: number | null;
};

export interface OAuthTokenClient {
  exchangeCode(request: OAuthCodeExchange): Promise<OAuthTokenResponse>;
}

/** The token endpoint could not be reached (refused, unresolvable, timed out). */
export class OAuthUnreachableError extends Error {
  constructor(
    /** The token endpoint's host, never its query. */
    readonly host: string,
    /** The network error's code, or the error's name (TimeoutError). */
    readonly reason: string,
  ) {
    super(`Could not reach the token endpoint at ${host} (${reason})`);
    this.name = 'OAuthUnreachableError';
  }
}

/** The token endpoint answered the exchange with an error status. */
export class OAuthTokenRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly httpStatus: number,
    /** The provider's error and error_description, else the status. */
    readonly reason: string,
  ) {
    super(`The token endpoint at ${host} answered HTTP ${httpStatus}: ${reason}`);
    this.name = 'OAuthTokenRefusedError';
  }
}

/** The token endpoint answered 2xx without an access_token. */
export class OAuthNoTokenError extends Error {
  constructor(readonly host: string) {
    super(`The token endpoint at ${host} answered without an access_token`);
    this.name = 'OAuthNoTokenError';
  }
}

export class HttpOAuthTokenClient implements OAuthTokenClient {
  async exchangeCode(request: OAuthCodeExchange): Promise<OAuthTokenResponse> {
    const host = new URL(request.tokenUrl).host;
    let response: Response;
    try {
      response = await fetch(request.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: request.code,
          redirect_uri: request.redirectUri,
          client_id: request.clientId,
          client_secret: request.clientSecret,
        }).toString(),
        signal: AbortSignal.timeout(request.timeoutMs ?? 15_000),
        redirect: 'error',
      });
    } catch (error) {
      throw new OAuthUnreachableError(host, (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name);
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Some providers answer errors as text; the status and a readable reason below are enough.
    }
    if (!response.ok) {
      const reason =
        [body.error, body.error_description].filter((part) => typeof part === 'string').join(': ') || `HTTP ${response.status}`;
      throw new OAuthTokenRefusedError(host, response.status, reason.slice(0, 300));
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') throw new OAuthNoTokenError(host);
    return {
      accessToken: body.access_token,
      tokenType: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
      expiresInSeconds:
        typeof body.expires_in === 'number'
          ? body.expires_in
          : typeof body.expires_in === 'string'
            ? Number(body.expires_in) || null
            : null,
    };
  }
}

/** The OAuth settings file's text (RCLONE_OAUTH_CONFIG), or null when no file is configured or it is missing. */
export function readOAuthSettingsFile(file: string | undefined): string | null {
  if (!file || !existsSync(file)) return null;
  return readFileSync(file, 'utf8');
}
