// A small JSON client for the server processes the reliability suite starts: every call has a
// deadline (a hang is a failure, never a stuck test) and is counted in the suite's figures.
import { TEST_ADMIN_PASSWORD } from '../helpers/server-process.js';
import type { FigureRecorder } from './figures.js';

export type ApiAnswer = { status: number; body: Record<string, unknown>; headers: Headers; ms: number };

export type ApiClient = {
  call(method: string, url: string, options?: { body?: unknown; token?: string | null; timeoutMs?: number }): Promise<ApiAnswer>;
  get(url: string, token?: string | null): Promise<ApiAnswer>;
  post(url: string, body?: unknown, token?: string | null): Promise<ApiAnswer>;
  login(username: string, password: string): Promise<string>;
};

export const DEFAULT_TIMEOUT_MS = 20_000;

export function apiClient(baseUrl: string, figures: FigureRecorder, defaultToken: () => string | null = () => null): ApiClient {
  const client: ApiClient = {
    async call(method, url, options = {}) {
      const token = options.token === undefined ? defaultToken() : options.token;
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const started = performance.now();
      figures.request();
      const response = await fetch(`${baseUrl}${url}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      const text = await response.text();
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        body = { raw: text };
      }
      return { status: response.status, body, headers: response.headers, ms: performance.now() - started };
    },
    get: (url, token) => client.call('GET', url, { ...(token === undefined ? {} : { token }) }),
    post: (url, body, token) => client.call('POST', url, { body: body ?? {}, ...(token === undefined ? {} : { token }) }),
    async login(username, password) {
      const answer = await client.call('POST', '/auth/login', { body: { username, password }, token: null });
      if (answer.status !== 200) throw new Error(`login as ${username} answered ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.token as string;
    },
  };
  return client;
}

/**
 * Polls until `check` returns a value (not undefined), for states only observable by asking
 * (a daemon coming back, a deployment reaching a step); fails with the last value seen.
 */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A client signed in as a started server's first-start admin, sending that token unless a call names another. */
export async function adminSession(baseUrl: string, figures: FigureRecorder): Promise<{ api: ApiClient; token: string }> {
  let token = '';
  const api = apiClient(baseUrl, figures, () => token);
  token = await api.login('admin', TEST_ADMIN_PASSWORD);
  return { api, token };
}
