// Credentials for api-tier tests, obtained the way a client gets them: the real POST /auth/login
// and POST /auth/api-keys.
import { expect } from 'vitest';
import type { Role } from '../../src/contracts/common.js';
import type { TestApp } from './app.js';

/** The password every helper-made user has. */
export const TEST_PASSWORD = 'test-password-123';

/** The helper's user for a role: test-admin, test-user, test-viewer. */
export function testUsername(role: Role): string {
  return `test-${role}`;
}

/** Creates the role's test user when missing; returns its id. */
export async function ensureTestUser(testApp: TestApp, role: Role): Promise<string> {
  const users = testApp.ctx.services.users;
  const existing = users.findByUsername(testUsername(role));
  if (existing) return existing.id;
  return (await users.createUser({ username: testUsername(role), password: TEST_PASSWORD, email: `${role}@example.com`, role })).id;
}

/** A Bearer JWT of a fresh session of the role's test user. */
export async function tokenFor(testApp: TestApp, role: Role): Promise<string> {
  await ensureTestUser(testApp, role);
  const response = await testApp.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { username: testUsername(role), password: TEST_PASSWORD },
  });
  if (response.statusCode !== 200) throw new Error(`tokenFor(${role}): login answered ${response.statusCode} ${response.body}`);
  return response.json<{ token: string }>().token;
}

/** A new hlr_ API key of the role's test user. */
export async function apiKeyFor(testApp: TestApp, role: Role): Promise<string> {
  const token = await tokenFor(testApp, role);
  const response = await testApp.app.inject({
    method: 'POST',
    url: '/auth/api-keys',
    headers: { authorization: `Bearer ${token}` },
    payload: { label: `test ${role} key` },
  });
  if (response.statusCode !== 200) throw new Error(`apiKeyFor(${role}): answered ${response.statusCode} ${response.body}`);
  return response.json<{ key: string }>().key;
}

/** Headers for app.inject. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** A clock tests move by hand (token and key expiry, throttling windows). */
export class ManualClock {
  constructor(private ms = Date.parse('2025-01-15T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.ms);
  }
  nowMs(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** The whole error body the one error handler writes, with any request id. */
export const errorBody = (code: string, error: string, details: string, extra: Record<string, unknown> = {}) => ({
  error,
  details,
  code,
  requestId: expect.any(String) as unknown,
  ...extra,
});

/** 401 for a guarded route called without credentials. */
export const NO_TOKEN = errorBody(
  'UNAUTHENTICATED',
  'Authentication required',
  'Send Authorization: Bearer <token> from POST /auth/login, or an API key',
);

/** 403 for an admin route called by a lower role. */
export const NEEDS_ADMIN = errorBody('FORBIDDEN', 'Not allowed', 'This action needs the admin role or higher');

/** 401 for a token whose session was logged out or revoked. */
export const SESSION_ENDED = errorBody(
  'UNAUTHENTICATED',
  'Session ended',
  'This session was logged out or revoked; log in again with POST /auth/login',
);

/** 400 for one invalid request field. */
export const invalid = (path: string, message: string) =>
  errorBody('VALIDATION_FAILED', 'Invalid request', `${path}: ${message}`, { fields: [{ path, message }] });
