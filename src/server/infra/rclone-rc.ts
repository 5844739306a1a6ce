// rclone's remote-control API (`rclone rcd`): every call is a JSON POST with basic auth.
// Failures are the errors below; credentials never appear in an error, a log line or a response.

/** Where one rclone answers and how to log in. `urls` are tried in order when a connection is refused. */
export type RcloneEndpoint = { urls: string[]; user: string; pass: string };

export type RcloneCallOptions = {
  timeoutMs?: number;
  /** Values (passwords, keys) to cut out of rclone's error text should it echo them. */
  redact?: string[];
};

export interface RcloneClient {
  call<T = Record<string, unknown>>(
    endpoint: RcloneEndpoint,
    method: string,
    params?: Record<string, unknown>,
    options?: RcloneCallOptions,
  ): Promise<T>;
}

export const DEFAULT_RC_TIMEOUT_MS = 15_000;

/** No address of the mount container's rclone accepted a connection. */
export class RcloneUnreachableError extends Error {
  constructor(
    /** One entry per address tried: where, and the network error (e.g. "172.18.0.5:5572: ECONNREFUSED"). */
    readonly attempts: string[],
  ) {
    super(`rclone did not answer (${attempts.join('; ') || 'no address known'})`);
    this.name = 'RcloneUnreachableError';
  }
}

/** rclone did not answer in time; the call may still finish inside rclone. */
export class RcloneTimeoutError extends Error {
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(`rclone did not answer ${method} within ${timeoutMs} ms`);
    this.name = 'RcloneTimeoutError';
  }
}

/** rclone answered the call with an error: its status and message (already redacted). */
export class RcloneCallError extends Error {
  constructor(
    readonly method: string,
    readonly rcloneStatus: number,
    readonly rcloneMessage: string,
  ) {
    super(`rclone answered ${method} with: ${rcloneMessage}`);
    this.name = 'RcloneCallError';
  }
}

/** rclone turned down the RC user and password (HTTP 401 or 403). */
export class RcloneCredentialsRefusedError extends Error {
  constructor(
    readonly method: string,
    readonly httpStatus: number,
  ) {
    super(`rclone refused the RC credentials for ${method} (HTTP ${httpStatus})`);
    this.name = 'RcloneCredentialsRefusedError';
  }
}

/** This rclone has no such RC method (a 404 without rclone's error body): an older image. */
export class RcloneUnknownMethodError extends Error {
  constructor(readonly method: string) {
    super(`rclone has no ${method}`);
    this.name = 'RcloneUnknownMethodError';
  }
}

/** rclone's answer was not JSON, or JSON but not an object. */
export class RcloneUnreadableAnswerError extends Error {
  constructor(
    readonly method: string,
    readonly httpStatus: number,
    readonly problem: 'not JSON' | 'not a JSON object',
  ) {
    super(`rclone answered ${method} with HTTP ${httpStatus} and a body that is ${problem}`);
    this.name = 'RcloneUnreadableAnswerError';
  }
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 1) result = result.split(secret).join('[redacted]');
  }
  return result;
}

function networkCode(error: unknown): string | null {
  const cause = (error as { cause?: { code?: string } }).cause;
  if (cause?.code) return cause.code;
  const code = (error as { code?: string }).code;
  return code ?? null;
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'TimeoutError' || name === 'AbortError';
}

function describeUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured address';
  }
}

/** The RC client over HTTP (Node's fetch). */
export class HttpRcloneClient implements RcloneClient {
  async call<T = Record<string, unknown>>(
    endpoint: RcloneEndpoint,
    method: string,
    params: Record<string, unknown> = {},
    options: RcloneCallOptions = {},
  ): Promise<T> {
    if (!/^[a-z]+\/[A-Za-z-]+$/.test(method)) throw new Error(`Not an rclone RC method: ${method}`);
    const timeoutMs = options.timeoutMs ?? DEFAULT_RC_TIMEOUT_MS;
    const redact = [endpoint.pass, ...(options.redact ?? [])];
    const authorization = `Basic ${Buffer.from(`${endpoint.user}:${endpoint.pass}`).toString('base64')}`;
    const failures: string[] = [];
    for (const baseUrl of endpoint.urls) {
      let response: Response;
      try {
        response = await fetch(`${baseUrl.replace(/\/$/, '')}/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization, accept: 'application/json' },
          body: JSON.stringify(params),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
      } catch (error) {
        if (isTimeout(error)) throw new RcloneTimeoutError(method, timeoutMs);
        // Refused or unroutable: the next address (a published port, another network) may answer.
        failures.push(`${describeUrl(baseUrl)}: ${networkCode(error) ?? 'no answer'}`);
        continue;
      }
      return this.readAnswer<T>(method, response, redact);
    }
    throw new RcloneUnreachableError(failures);
  }

  private async readAnswer<T>(method: string, response: Response, redact: string[]): Promise<T> {
    const text = await response.text();
    if (response.status === 401 || response.status === 403) throw new RcloneCredentialsRefusedError(method, response.status);
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new RcloneUnreadableAnswerError(method, response.status, 'not JSON');
    }
    if (response.status === 404 && !(body as { error?: unknown }).error) throw new RcloneUnknownMethodError(method);
    if (!response.ok) {
      const raw = (body as { error?: unknown }).error;
      const message = typeof raw === 'string' && raw !== '' ? raw : `HTTP ${response.status}`;
      throw new RcloneCallError(method, response.status, redactSecrets(message, redact).slice(0, 2000));
    }
    if (body === null || typeof body !== 'object') throw new RcloneUnreadableAnswerError(method, response.status, 'not a JSON object');
    return body as T;
  }
}
