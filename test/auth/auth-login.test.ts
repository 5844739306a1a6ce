// api tier: login, logout, me, change-password, sessions, token checks and throttling.
import { decodeJwt, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  bearer,
  ensureTestUser,
  errorBody,
  ManualClock,
  NO_TOKEN,
  SESSION_ENDED,
  TEST_PASSWORD,
  testUsername,
  tokenFor,
} from '../helpers/auth.js';

let testApp: TestApp;
afterEach(async () => {
  await testApp?.close();
});

const INVALID_TOKEN = errorBody(
  'UNAUTHENTICATED',
  'Invalid token',
  'The token is malformed or its signature does not verify; log in again with POST /auth/login',
);
const BAD_CREDENTIALS = errorBody('UNAUTHENTICATED', 'Invalid username or password', 'Check the username and password and try again');

function login(username: string, password: string, headers: Record<string, string> = {}) {
  return testApp.app.inject({ method: 'POST', url: '/auth/login', payload: { username, password }, headers });
}

function me(token: string) {
  return testApp.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(token) });
}

describe('POST /auth/login', () => {
  it('answers a token naming a new session, with the user and its expiry', async () => {
    const clock = new ManualClock();
    testApp = await createTestApp({ clock, config: { adminPassword: 'first-admin-pass' } });
    const response = await login('admin', 'first-admin-pass', { 'user-agent': 'vitest' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      success: true,
      token: expect.any(String),
      expiresAt: '2025-01-16T10:00:00.000Z',
      user: {
        id: expect.stringMatching(/^user_[a-f0-9]{16}$/),
        username: 'admin',
        email: null,
        role: 'admin',
        lastLogin: '2025-01-15T10:00:00.000Z',
      },
    });
    const claims = decodeJwt(body.token);
    expect(claims).toMatchObject({ sub: body.user.id, iss: 'homelabarr', sid: expect.stringMatching(/^ses_[a-f0-9]{32}$/) });
    expect((await me(body.token)).statusCode).toBe(200);
  });

  it('finds the username regardless of case', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'first-admin-pass' } });
    expect((await login('ADMIN', 'first-admin-pass')).statusCode).toBe(200);
  });

  it('refuses a wrong password and an unknown user with the same body', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'first-admin-pass' } });
    const wrong = await login('admin', 'not-the-password');
    const unknown = await login('nobody', 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(BAD_CREDENTIALS);
    expect(unknown.json()).toEqual(BAD_CREDENTIALS);
  });

  it('answers 400 with the field for a body without a password', async () => {
    testApp = await createTestApp();
    const response = await testApp.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'admin' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      errorBody('VALIDATION_FAILED', 'Invalid request', 'body.password: is required', {
        fields: [{ path: 'body.password', message: 'is required' }],
      }),
    );
  });

  it('throttles a username after five failures with 429 and Retry-After, even for the right password, until the window passes', async () => {
    const clock = new ManualClock();
    testApp = await createTestApp({ clock, config: { adminPassword: 'first-admin-pass' } });
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await login('admin', `wrong-${attempt}`)).statusCode).toBe(401);
    const throttled = await login('admin', 'first-admin-pass');
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers['retry-after']).toBe('900');
    expect(throttled.json()).toEqual(errorBody('RATE_LIMITED', 'Too many failed logins', 'Wait 900 seconds before trying again'));
    clock.advance(600_000);
    expect((await login('admin', 'first-admin-pass')).headers['retry-after']).toBe('300');
    clock.advance(300_000);
    expect((await login('admin', 'first-admin-pass')).statusCode).toBe(200);
  });

  it('answers 429 for ten wrong passwords in a row', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'first-admin-pass' } });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) statuses.push((await login('admin', `wrong-${attempt}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
  });

  it('throttles a client address after ten failures across usernames', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'first-admin-pass' } });
    for (let attempt = 0; attempt < 10; attempt += 1) expect((await login(`user-${attempt}`, 'wrong-password')).statusCode).toBe(401);
    const response = await login('admin', 'first-admin-pass');
    expect(response.statusCode).toBe(429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('takes the client address from the socket, ignoring X-Forwarded-For, when TRUST_PROXY is unset', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'first-admin-pass' } });
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await login(`user-${attempt}`, 'wrong-password', { 'x-forwarded-for': `10.0.0.${attempt}` });
    }
    expect((await login('admin', 'first-admin-pass', { 'x-forwarded-for': '10.0.1.1' })).statusCode).toBe(429);
  });

  it('takes the client address from X-Forwarded-For when TRUST_PROXY names the proxy', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'first-admin-pass', trustProxy: ['127.0.0.1'] } });
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await login(`user-${attempt}`, 'wrong-password', { 'x-forwarded-for': '10.0.0.1' });
    }
    expect((await login('admin', 'first-admin-pass', { 'x-forwarded-for': '10.0.0.1' })).statusCode).toBe(429);
    expect((await login('admin', 'first-admin-pass', { 'x-forwarded-for': '10.0.0.2' })).statusCode).toBe(200);
  });

  it('records logins and failed logins in the activity log without the password', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'first-admin-pass' } });
    await login('admin', 'wrong-password');
    await login('admin', 'first-admin-pass');
    const { activities: entries } = testApp.ctx.services.activity.list({ limit: 10, offset: 0 });
    expect(entries.slice(0, 2).map((entry) => [entry.action, entry.username, entry.ipAddress, entry.details])).toEqual([
      ['auth.login', 'admin', '127.0.0.1', { sessionId: expect.stringMatching(/^ses_/) }],
      ['auth.login_failed', 'admin', '127.0.0.1', { reason: 'wrong_password' }],
    ]);
    expect(JSON.stringify(entries)).not.toContain('first-admin-pass');
  });
});

describe('token checks on every request', () => {
  it('answers 401 without a token', async () => {
    testApp = await createTestApp();
    const response = await testApp.app.inject({ method: 'GET', url: '/auth/me' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual(NO_TOKEN);
  });

  it('answers 401 Token expired once JWT_EXPIRES_IN has passed', async () => {
    const clock = new ManualClock();
    testApp = await createTestApp({ clock, config: { jwtExpiresInSeconds: 3600 } });
    const token = await tokenFor(testApp, 'user');
    clock.advance(3599_000);
    expect((await me(token)).statusCode).toBe(200);
    clock.advance(1000);
    const response = await me(token);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual(errorBody('UNAUTHENTICATED', 'Token expired', 'Log in again with POST /auth/login'));
  });

  it('refuses an unsigned (alg none) token that names a live session', async () => {
    testApp = await createTestApp();
    const claims = decodeJwt(await tokenFor(testApp, 'admin'));
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const forged = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claims, role: 'admin' })}.`;
    const response = await me(forged);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual(INVALID_TOKEN);
  });

  it('refuses a token signed with another secret', async () => {
    testApp = await createTestApp();
    const claims = decodeJwt(await tokenFor(testApp, 'admin'));
    const forged = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-that-is-long-enough-to-use'));
    const response = await me(forged);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual(INVALID_TOKEN);
  });

  it('refuses a malformed token and a malformed API key', async () => {
    testApp = await createTestApp();
    expect((await me('not-a-jwt')).json()).toEqual(INVALID_TOKEN);
    const key = await me('hlr_123');
    expect(key.statusCode).toBe(401);
    expect(key.json()).toEqual(errorBody('UNAUTHENTICATED', 'Invalid API key', 'The API key is unknown or was revoked'));
  });

  it('accepts the token as ?access_token= for clients that cannot send headers (EventSource)', async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'viewer');
    const response = await testApp.app.inject({ method: 'GET', url: `/auth/me?access_token=${token}` });
    expect(response.statusCode).toBe(200);
  });

  it('uses JWT_SECRET when set, so its tokens verify and others do not', async () => {
    testApp = await createTestApp({ config: { jwtSecret: 'a-configured-secret-of-at-least-32-chars' } });
    const claims = decodeJwt(await tokenFor(testApp, 'user'));
    const resigned = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('a-configured-secret-of-at-least-32-chars'));
    expect((await me(resigned)).statusCode).toBe(200);
  });

  it('keeps a generated JWT secret in the database, so a restart keeps tokens valid', async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'user');
    const { createServices } = await import('../../src/server/services.js');
    const restarted = createServices(testApp.infra, testApp.db);
    const principal = await restarted.authenticator.authenticate({ headers: { authorization: `Bearer ${token}` }, query: {} });
    expect(principal).toMatchObject({ username: 'test-user', role: 'user', apiKeyId: null });
  });
});

describe('POST /auth/logout', () => {
  it('ends the session so the same token gets 401 afterwards', async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'viewer');
    const response = await testApp.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true });
    const after = await me(token);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toEqual(SESSION_ENDED);
  });

  it('answers 401 without a token', async () => {
    testApp = await createTestApp();
    const response = await testApp.app.inject({ method: 'POST', url: '/auth/logout' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual(NO_TOKEN);
  });

  it('answers 400 for an API key, which is revoked differently', async () => {
    testApp = await createTestApp();
    const { apiKeyFor } = await import('../helpers/auth.js');
    const key = await apiKeyFor(testApp, 'user');
    const response = await testApp.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(key) });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      errorBody('BAD_REQUEST', 'Not a session', 'This request used an API key; revoke keys with DELETE /auth/api-keys/:keyId'),
    );
  });
});

describe('GET /auth/me', () => {
  it("answers the caller's profile", async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'viewer');
    const response = await me(token);
    expect(response.json()).toEqual({
      success: true,
      user: {
        id: expect.any(String),
        username: 'test-viewer',
        email: 'viewer@example.com',
        role: 'viewer',
        createdAt: expect.any(String),
        lastLogin: expect.any(String),
      },
    });
  });

  it('reflects a role change on the very next request', async () => {
    testApp = await createTestApp();
    const viewerToken = await tokenFor(testApp, 'viewer');
    const viewerId = await ensureTestUser(testApp, 'viewer');
    const before = await testApp.app.inject({ method: 'GET', url: '/auth/users', headers: bearer(viewerToken) });
    expect(before.statusCode).toBe(403);
    const adminToken = await tokenFor(testApp, 'admin');
    await testApp.app.inject({ method: 'PATCH', url: `/auth/users/${viewerId}`, headers: bearer(adminToken), payload: { role: 'admin' } });
    const after = await testApp.app.inject({ method: 'GET', url: '/auth/users', headers: bearer(viewerToken) });
    expect(after.statusCode).toBe(200);
    expect((await me(viewerToken)).json().user.role).toBe('admin');
  });
});

describe('POST /auth/change-password', () => {
  const change = (token: string, payload: unknown) =>
    testApp.app.inject({ method: 'POST', url: '/auth/change-password', headers: bearer(token), payload: payload as object });

  it('changes the password and ends the other sessions, keeping this one', async () => {
    testApp = await createTestApp();
    const other = await tokenFor(testApp, 'user');
    const current = await tokenFor(testApp, 'user');
    const response = await change(current, { currentPassword: TEST_PASSWORD, newPassword: 'a-brand-new-password' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true, message: 'Password changed successfully' });
    expect((await me(current)).statusCode).toBe(200);
    expect((await me(other)).json()).toEqual(SESSION_ENDED);
    expect((await login(testUsername('user'), TEST_PASSWORD)).statusCode).toBe(401);
    expect((await login(testUsername('user'), 'a-brand-new-password')).statusCode).toBe(200);
  });

  it('answers 400 for a wrong current password', async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'user');
    const response = await change(token, { currentPassword: 'not-my-password', newPassword: 'a-brand-new-password' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      errorBody('VALIDATION_FAILED', 'Current password is incorrect', 'body.currentPassword: is incorrect', {
        fields: [{ path: 'body.currentPassword', message: 'is incorrect' }],
      }),
    );
  });

  it('answers 400 for a new password shorter than PASSWORD_MIN_LENGTH', async () => {
    testApp = await createTestApp({ config: { passwordMinLength: 12 } });
    const token = await tokenFor(testApp, 'user');
    const response = await change(token, { currentPassword: TEST_PASSWORD, newPassword: 'short-pass' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      errorBody('VALIDATION_FAILED', 'Password too short', 'Password must be at least 12 characters long', {
        fields: [{ path: 'body.newPassword', message: 'must be at least 12 characters' }],
      }),
    );
  });

  it('refuses a 6-character password, which the original accepted, with the original’s sentence and our minimum of 8', async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'user');
    const response = await change(token, { currentPassword: TEST_PASSWORD, newPassword: 'six-ch' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      errorBody('VALIDATION_FAILED', 'Password too short', 'Password must be at least 8 characters long', {
        fields: [{ path: 'body.newPassword', message: 'must be at least 8 characters' }],
      }),
    );
    expect((await change(token, { currentPassword: TEST_PASSWORD, newPassword: 'eight-ch' })).statusCode).toBe(200);
  });

  it('answers 400 for a body without newPassword', async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'user');
    const response = await change(token, { currentPassword: TEST_PASSWORD });
    expect(response.json()).toEqual(
      errorBody('VALIDATION_FAILED', 'Invalid request', 'body.newPassword: is required', {
        fields: [{ path: 'body.newPassword', message: 'is required' }],
      }),
    );
  });

  it('answers 401 without a token', async () => {
    testApp = await createTestApp();
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/auth/change-password',
      payload: { currentPassword: 'x', newPassword: 'y' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual(NO_TOKEN);
  });

  it('throttles wrong current passwords like failed logins', async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'user');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await change(token, { currentPassword: `wrong-${attempt}`, newPassword: 'a-brand-new-password' })).statusCode).toBe(400);
    }
    const response = await change(token, { currentPassword: TEST_PASSWORD, newPassword: 'a-brand-new-password' });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBeDefined();
  });
});

describe('GET /auth/sessions and DELETE /auth/sessions/:sessionId', () => {
  it("lists the caller's live sessions and marks the current one", async () => {
    testApp = await createTestApp();
    const first = await tokenFor(testApp, 'user');
    const second = await tokenFor(testApp, 'user');
    await tokenFor(testApp, 'viewer');
    const response = await testApp.app.inject({ method: 'GET', url: '/auth/sessions', headers: bearer(second) });
    expect(response.statusCode).toBe(200);
    const sessions = response.json().sessions as { id: string; current: boolean }[];
    expect(sessions).toHaveLength(2);
    expect(sessions.find((session) => session.current)?.id).toBe(decodeJwt(second).sid);
    expect(sessions.find((session) => !session.current)).toEqual({
      id: decodeJwt(first).sid,
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
      expiresAt: expect.any(String),
      userAgent: 'lightMyRequest',
      ip: '127.0.0.1',
      current: false,
    });
  });

  it('ends one of your sessions so its token gets 401', async () => {
    testApp = await createTestApp();
    const first = await tokenFor(testApp, 'user');
    const second = await tokenFor(testApp, 'user');
    const response = await testApp.app.inject({
      method: 'DELETE',
      url: `/auth/sessions/${String(decodeJwt(first).sid)}`,
      headers: bearer(second),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true });
    expect((await me(first)).json()).toEqual(SESSION_ENDED);
    expect((await me(second)).statusCode).toBe(200);
  });

  it("answers 404 for someone else's session", async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const viewer = await tokenFor(testApp, 'viewer');
    const response = await testApp.app.inject({
      method: 'DELETE',
      url: `/auth/sessions/${String(decodeJwt(viewer).sid)}`,
      headers: bearer(admin),
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual(errorBody('NOT_FOUND', 'Session not found', 'You have no session with that id'));
    expect((await me(viewer)).statusCode).toBe(200);
  });

  it('answers 400 for a malformed session id', async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'user');
    const response = await testApp.app.inject({ method: 'DELETE', url: '/auth/sessions/..%2Fetc', headers: bearer(token) });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      errorBody('VALIDATION_FAILED', 'Invalid request', 'params.sessionId: must be a session id (ses_ and 32 hex digits)', {
        fields: [{ path: 'params.sessionId', message: 'must be a session id (ses_ and 32 hex digits)' }],
      }),
    );
  });

  it('answers 401 without a token', async () => {
    testApp = await createTestApp();
    expect((await testApp.app.inject({ method: 'GET', url: '/auth/sessions' })).json()).toEqual(NO_TOKEN);
    expect((await testApp.app.inject({ method: 'DELETE', url: `/auth/sessions/ses_${'a'.repeat(32)}` })).json()).toEqual(NO_TOKEN);
  });
});
