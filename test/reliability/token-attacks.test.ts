// Forged and stale credentials are all a 401, and password guessing is throttled: JWT alg none,
// wrong signature, other algorithms, expired, deleted user, revoked and logged-out sessions, swapped
// subjects, forged and revoked API keys; login and change-password brute force, X-Forwarded-For spoofing.
import { createHmac, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { apiKeyFor, bearer, ensureTestUser, ManualClock, TEST_PASSWORD, testUsername, tokenFor } from '../helpers/auth.js';
import { FigureRecorder } from './figures.js';

const figures = new FigureRecorder('token-attacks');
let testApp: TestApp | null = null;

afterEach(async () => {
  await testApp?.close();
  testApp = null;
});
afterAll(() => figures.write());

async function setup(clock = new ManualClock()): Promise<{ t: TestApp; clock: ManualClock }> {
  testApp = await createTestApp({ clock });
  return { t: testApp, clock };
}

const base64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function storedSecret(t: TestApp): Uint8Array {
  const row = t.db.prepare("SELECT value FROM settings WHERE key = 'jwt_secret'").get() as { value: string };
  return new TextEncoder().encode(row.value);
}

async function me(t: TestApp, headers: Record<string, string>, url = '/auth/me'): Promise<LightMyRequestResponse> {
  figures.request();
  return t.app.inject({ method: 'GET', url, headers });
}

const INVALID_TOKEN = {
  error: 'Invalid token',
  details: 'The token is malformed or its signature does not verify; log in again with POST /auth/login',
  code: 'UNAUTHENTICATED',
  requestId: expect.any(String),
};
const SESSION_ENDED = {
  error: 'Session ended',
  details: 'This session was logged out or revoked; log in again with POST /auth/login',
  code: 'UNAUTHENTICATED',
  requestId: expect.any(String),
};
const INVALID_KEY = {
  error: 'Invalid API key',
  details: 'The API key is unknown or was revoked',
  code: 'UNAUTHENTICATED',
  requestId: expect.any(String),
};
const BAD_LOGIN = {
  error: 'Invalid username or password',
  details: 'Check the username and password and try again',
  code: 'UNAUTHENTICATED',
  requestId: expect.any(String),
};

async function expect401(t: TestApp, headers: Record<string, string>, body: Record<string, unknown>, url?: string): Promise<void> {
  const response = await me(t, headers, url);
  figures.hostile();
  if (response.statusCode !== 401) figures.failure();
  expect(response.statusCode, response.body).toBe(401);
  expect(response.json()).toEqual(body);
}

describe('forged and stale JWTs', () => {
  it('refuses alg none, in every spelling, with or without a signature', async () => {
    const { t } = await setup();
    const real = await tokenFor(t, 'admin');
    const payload = base64url(decodePayload(real));
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      await expect401(t, bearer(`${base64url({ alg, typ: 'JWT' })}.${payload}.`), INVALID_TOKEN);
      await expect401(t, bearer(`${base64url({ alg, typ: 'JWT' })}.${payload}.${real.split('.')[2] ?? ''}`), INVALID_TOKEN);
    }
  });

  it('refuses a token signed with another secret, with a tampered payload, or with another algorithm', async () => {
    const { t, clock } = await setup();
    const real = await tokenFor(t, 'user');
    const claims = decodePayload(real);
    const otherSecret = new TextEncoder().encode(randomBytes(64).toString('base64url'));
    const forged = await new SignJWT({ sid: claims.sid as string })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('homelabarr')
      .setSubject(claims.sub as string)
      .setIssuedAt(Math.floor(clock.nowMs() / 1000))
      .setExpirationTime(Math.floor(clock.nowMs() / 1000) + 3600)
      .sign(otherSecret);
    await expect401(t, bearer(forged), INVALID_TOKEN);
    // The same header and signature over a payload that claims a longer life.
    const [header, , signature] = real.split('.');
    await expect401(
      t,
      bearer(`${header}.${base64url({ ...claims, exp: (claims.exp as number) + 86_400 * 365 })}.${signature}`),
      INVALID_TOKEN,
    );
    // Even with the real secret, only HS256 is accepted.
    const secret = storedSecret(t);
    for (const alg of ['HS384', 'HS512']) {
      const other = await new SignJWT({ sid: claims.sid as string })
        .setProtectedHeader({ alg, typ: 'JWT' })
        .setIssuer('homelabarr')
        .setSubject(claims.sub as string)
        .setExpirationTime(Math.floor(clock.nowMs() / 1000) + 3600)
        .sign(secret);
      await expect401(t, bearer(other), INVALID_TOKEN);
    }
    // An HMAC over the header and payload with the public "key" an RS256 confusion attack would use.
    const confused = `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url(claims)}`;
    await expect401(t, bearer(`${confused}.${createHmac('sha256', 'public-key').update(confused).digest('base64url')}`), INVALID_TOKEN);
    for (const garbage of ['a.b', 'a.b.c.d', '...', 'eyJ.eyJ.', `${'x'.repeat(8000)}.${'y'.repeat(8000)}.z`, real.slice(0, -2)]) {
      await expect401(t, bearer(garbage), INVALID_TOKEN);
    }
    await expect401(t, {}, INVALID_TOKEN, `/auth/me?access_token=${encodeURIComponent(forged)}`);
  });

  it('refuses an expired token, and a validly signed token naming another user than its session', async () => {
    const { t, clock } = await setup();
    const token = await tokenFor(t, 'viewer');
    const adminToken = await tokenFor(t, 'admin');
    const viewerClaims = decodePayload(token);
    const adminId = decodePayload(adminToken).sub as string;
    // The attacker knows the secret and swaps the subject: the session still belongs to the viewer.
    const swapped = await new SignJWT({ sid: viewerClaims.sid as string })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('homelabarr')
      .setSubject(adminId)
      .setExpirationTime(Math.floor(clock.nowMs() / 1000) + 3600)
      .sign(storedSecret(t));
    await expect401(t, bearer(swapped), SESSION_ENDED);
    clock.advance(24 * 3600 * 1000 + 1000);
    await expect401(t, bearer(token), {
      error: 'Token expired',
      details: 'Log in again with POST /auth/login',
      code: 'UNAUTHENTICATED',
      requestId: expect.any(String),
    });
  });

  it('refuses the token of a deleted user, of a revoked session, and of a logged-out session at the very next request', async () => {
    const { t } = await setup();
    const admin = await tokenFor(t, 'admin');
    const viewerToken = await tokenFor(t, 'viewer');
    const viewerId = decodePayload(viewerToken).sub as string;
    expect((await me(t, bearer(viewerToken))).statusCode).toBe(200);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/auth/users/${viewerId}`, headers: bearer(admin) });
    figures.request();
    expect(deleted.statusCode).toBe(200);
    await expect401(t, bearer(viewerToken), SESSION_ENDED);

    const first = await tokenFor(t, 'user');
    const second = await tokenFor(t, 'user');
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/auth/sessions/${decodePayload(first).sid as string}`,
      headers: bearer(second),
    });
    figures.request();
    expect(revoke.statusCode).toBe(200);
    await expect401(t, bearer(first), SESSION_ENDED);
    expect((await me(t, bearer(second))).statusCode).toBe(200);

    const logout = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(second) });
    figures.request();
    expect(logout.json()).toEqual({ success: true });
    await expect401(t, bearer(second), SESSION_ENDED);
  });
});

describe('forged and revoked API keys', () => {
  it('refuses made-up, malformed, revoked and orphaned keys, in the header and X-API-Key alike', async () => {
    const { t } = await setup();
    const admin = await tokenFor(t, 'admin');
    for (let index = 0; index < 20; index += 1) {
      await expect401(t, bearer(`hlr_${randomBytes(32).toString('hex')}`), INVALID_KEY);
    }
    for (const malformed of ['hlr_', 'hlr_xyz', `hlr_${'g'.repeat(64)}`, `hlr_${'A'.repeat(64)}`, `hlr_${'0'.repeat(65)}`]) {
      await expect401(t, bearer(malformed), INVALID_KEY);
      await expect401(t, { 'x-api-key': malformed }, INVALID_KEY);
    }
    const key = await apiKeyFor(t, 'user');
    expect((await me(t, { 'x-api-key': key })).statusCode).toBe(200);
    const listed = await t.app.inject({ method: 'GET', url: '/auth/api-keys', headers: bearer(key) });
    const keyId = listed.json<{ apiKeys: { id: string }[] }>().apiKeys[0]?.id as string;
    const revoked = await t.app.inject({ method: 'DELETE', url: `/auth/api-keys/${keyId}`, headers: bearer(admin) });
    figures.request(2);
    expect(revoked.statusCode).toBe(200);
    await expect401(t, bearer(key), INVALID_KEY);

    const viewerKey = await apiKeyFor(t, 'viewer');
    const viewerId = t.ctx.services.users.findByUsername(testUsername('viewer'))?.id as string;
    const deleted = await t.app.inject({ method: 'DELETE', url: `/auth/users/${viewerId}`, headers: bearer(admin) });
    figures.request();
    expect(deleted.statusCode).toBe(200);
    await expect401(t, { 'x-api-key': viewerKey }, INVALID_KEY);
  });
});

describe('password guessing', () => {
  async function login(
    t: TestApp,
    username: string,
    password: string,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    figures.request();
    return t.app.inject({ method: 'POST', url: '/auth/login', payload: { username, password }, headers });
  }

  it('throttles guesses at one username: 429 with Retry-After, even for the right password, until the window passes', async () => {
    const { t, clock } = await setup();
    await ensureTestUser(t, 'admin');
    const username = testUsername('admin');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 30; attempt += 1) {
      const response = await login(t, username, `guess-${attempt}`);
      figures.hostile();
      statuses.push(response.statusCode);
      if (attempt === 0) expect(response.json()).toEqual(BAD_LOGIN);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((status) => status === 429)).toBe(true);
    const blocked = await login(t, username, TEST_PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json()).toEqual({
      error: 'Too many failed logins',
      details: `Wait ${String(blocked.headers['retry-after'])} seconds before trying again`,
      code: 'RATE_LIMITED',
      requestId: expect.any(String),
    });
    clock.advance(15 * 60 * 1000 + 1000);
    expect((await login(t, username, TEST_PASSWORD)).statusCode).toBe(200);
    figures.note('guesses before the lock (one username)', 5);
  });

  it('throttles a spray of usernames from one address, and a forged X-Forwarded-For does not reset it', async () => {
    const { t } = await setup();
    await ensureTestUser(t, 'user');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 25; attempt += 1) {
      // Without TRUST_PROXY the header is not believed: every guess counts against the socket's address.
      const response = await login(t, `sprayed-${attempt}`, 'password123', { 'x-forwarded-for': `10.0.${attempt}.1` });
      figures.hostile();
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(10).every((status) => status === 429)).toBe(true);
    // The address is locked, so even a real user's right password waits.
    expect((await login(t, testUsername('user'), TEST_PASSWORD, { 'x-forwarded-for': '192.0.2.7' })).statusCode).toBe(429);
  });

  it('counts wrong current passwords of change-password as guesses, so a stolen token is no password oracle', async () => {
    const { t } = await setup();
    const token = await tokenFor(t, 'user');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      figures.request();
      figures.hostile();
      const response = await t.app.inject({
        method: 'POST',
        url: '/auth/change-password',
        headers: bearer(token),
        payload: { currentPassword: `guess-${attempt}`, newPassword: 'brand-new-password-1' },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5).every((status) => status === 429)).toBe(true);
  });
});
