// api tier: API keys, starred apps, the activity log, and the guards with AUTH_ENABLED on and off.
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { apiKeyFor, bearer, errorBody, invalid, ManualClock, NEEDS_ADMIN, NO_TOKEN, tokenFor } from '../helpers/auth.js';
import { installErrorHandlers } from '../../src/server/errors.js';
import type { Authenticator } from '../../src/server/modules/auth/authenticator.js';
import { createGuards } from '../../src/server/modules/auth/guards.js';

let testApp: TestApp;
afterEach(async () => {
  await testApp?.close();
});

const INVALID_KEY = errorBody('UNAUTHENTICATED', 'Invalid API key', 'The API key is unknown or was revoked');

function inject(method: 'GET' | 'POST' | 'DELETE', url: string, token?: string, payload?: unknown) {
  return testApp.app.inject({
    method,
    url,
    headers: token ? bearer(token) : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

describe('POST /auth/api-keys', () => {
  it('creates an hlr_ key shown once, which then authenticates as its owner', async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'user');
    const response = await inject('POST', '/auth/api-keys', token, { label: 'backup script' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      success: true,
      key: expect.stringMatching(/^hlr_[a-f0-9]{64}$/),
      apiKey: {
        id: expect.stringMatching(/^key_[a-f0-9]{16}$/),
        label: 'backup script',
        name: 'backup script',
        prefix: body.key.slice(0, 12),
        keyPreview: `${body.key.slice(0, 12)}...`,
        role: 'user',
        userId: expect.any(String),
        username: 'test-user',
        createdAt: expect.any(String),
        expiresAt: null,
        lastUsed: null,
      },
    });
    const me = await inject('GET', '/auth/me', body.key);
    expect(me.json().user.username).toBe('test-user');
    const listed = await inject('GET', '/auth/api-keys', token);
    expect(listed.body).not.toContain(body.key);
    const stored = testApp.db.prepare('SELECT key_hash FROM api_keys').get() as { key_hash: string };
    expect(stored.key_hash).toMatch(/^[a-f0-9]{64}$/);
    expect(stored.key_hash).not.toBe(body.key.slice(4));
  });

  it('accepts name as an alias of label, and the key in X-API-Key', async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'viewer');
    const response = await inject('POST', '/auth/api-keys', token, { name: 'grafana' });
    expect(response.json().apiKey.label).toBe('grafana');
    const me = await testApp.app.inject({ method: 'GET', url: '/auth/me', headers: { 'x-api-key': response.json().key } });
    expect(me.statusCode).toBe(200);
  });

  it('gives a key a lower role than its owner when asked, never a higher one', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const viewerKey = (await inject('POST', '/auth/api-keys', admin, { label: 'read only', role: 'viewer' })).json().key as string;
    expect((await inject('GET', '/auth/users', viewerKey)).json()).toEqual(NEEDS_ADMIN);
    const viewer = await tokenFor(testApp, 'viewer');
    const response = await inject('POST', '/auth/api-keys', viewer, { label: 'sneaky', role: 'admin' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual(errorBody('FORBIDDEN', 'Not allowed', 'A key cannot have more than your own role (viewer)'));
  });

  it('acts with its owner’s current role when the owner is demoted', async () => {
    testApp = await createTestApp();
    const key = await apiKeyFor(testApp, 'admin');
    expect((await inject('GET', '/auth/users', key)).statusCode).toBe(200);
    const admin = await tokenFor(testApp, 'admin');
    const ownerId = testApp.ctx.services.users.findByUsername('test-admin')?.id as string;
    await testApp.app.inject({ method: 'PATCH', url: `/auth/users/${ownerId}`, headers: bearer(admin), payload: { role: 'viewer' } });
    expect((await inject('GET', '/auth/users', key)).json()).toEqual(NEEDS_ADMIN);
  });

  it('stops working when it expires', async () => {
    const clock = new ManualClock();
    testApp = await createTestApp({ clock });
    const token = await tokenFor(testApp, 'user');
    const response = await inject('POST', '/auth/api-keys', token, { label: 'short lived', expiresInDays: 1 });
    expect(response.json().apiKey.expiresAt).toBe('2025-01-16T10:00:00.000Z');
    const key = response.json().key as string;
    expect((await inject('GET', '/auth/me', key)).statusCode).toBe(200);
    clock.advance(86_400_000);
    const expired = await inject('GET', '/auth/me', key);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toEqual(errorBody('UNAUTHENTICATED', 'API key expired', 'Create a new key with POST /auth/api-keys'));
  });

  it('answers 400 for a missing label, a past expiresAt, or both expiry fields', async () => {
    const clock = new ManualClock();
    testApp = await createTestApp({ clock });
    const token = await tokenFor(testApp, 'user');
    expect((await inject('POST', '/auth/api-keys', token, {})).json()).toEqual(invalid('body.label', 'is required'));
    expect((await inject('POST', '/auth/api-keys', token, { label: 'x', expiresAt: '2024-01-01T00:00:00Z' })).json()).toEqual(
      invalid('body.expiresAt', 'must be in the future'),
    );
    expect(
      (await inject('POST', '/auth/api-keys', token, { label: 'x', expiresAt: '2026-01-01T00:00:00Z', expiresInDays: 3 })).json(),
    ).toEqual(invalid('body.expiresAt', 'give expiresAt or expiresInDays, not both'));
  });

  it('answers 401 without a token', async () => {
    testApp = await createTestApp();
    expect((await inject('POST', '/auth/api-keys', undefined, { label: 'x' })).json()).toEqual(NO_TOKEN);
  });
});

describe('GET /auth/api-keys', () => {
  it("lists the caller's own keys; admins see everyone's with ?all=true", async () => {
    testApp = await createTestApp();
    await apiKeyFor(testApp, 'user');
    await apiKeyFor(testApp, 'viewer');
    const user = await tokenFor(testApp, 'user');
    const own = await inject('GET', '/auth/api-keys', user);
    expect(own.json().apiKeys.map((key: { username: string }) => key.username)).toEqual(['test-user']);
    const forbidden = await inject('GET', '/auth/api-keys?all=true', user);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual(errorBody('FORBIDDEN', 'Not allowed', "Only admins can list other users' keys"));
    const all = await inject('GET', '/auth/api-keys?all=true', await tokenFor(testApp, 'admin'));
    expect(
      all
        .json()
        .apiKeys.map((key: { username: string }) => key.username)
        .sort(),
    ).toEqual(['test-user', 'test-viewer']);
  });

  it('lists each key with the fields the original’s clients read: id, keyPreview, label, createdAt, lastUsed', async () => {
    testApp = await createTestApp();
    const token = await tokenFor(testApp, 'user');
    const created = (await inject('POST', '/auth/api-keys', token, { label: 'Mobile App' })).json();
    await inject('GET', '/auth/me', created.key);
    const response = await inject('GET', '/auth/api-keys', token);
    expect(response.statusCode).toBe(200);
    const [listed, ...others] = response.json().apiKeys as Record<string, unknown>[];
    expect(others).toEqual([]);
    expect(listed).toMatchObject({
      id: created.apiKey.id,
      keyPreview: `${(created.key as string).slice(0, 12)}...`,
      label: 'Mobile App',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      lastUsed: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(typeof listed?.keyPreview).toBe('string');
    expect(response.body).not.toContain(created.key);
  });

  it('shows lastUsed from memory at once and writes it to disk only when flushed', async () => {
    testApp = await createTestApp();
    const key = await apiKeyFor(testApp, 'user');
    await inject('GET', '/auth/me', key);
    const lastUsedOnDisk = () =>
      (testApp.db.prepare('SELECT last_used_at FROM api_keys').get() as { last_used_at: string | null }).last_used_at;
    expect(lastUsedOnDisk()).toBeNull();
    const listed = await inject('GET', '/auth/api-keys', key);
    const lastUsed = listed.json().apiKeys[0].lastUsed as string;
    expect(lastUsed).toEqual(expect.any(String));
    testApp.ctx.services.authUsage.flush();
    expect(lastUsedOnDisk()).toBe(lastUsed);
  });

  it('answers 401 without a token and 400 for a bad all flag', async () => {
    testApp = await createTestApp();
    expect((await inject('GET', '/auth/api-keys')).json()).toEqual(NO_TOKEN);
    const bad = await inject('GET', '/auth/api-keys?all=yes', await tokenFor(testApp, 'user'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0].path).toBe('querystring.all');
  });
});

describe('DELETE /auth/api-keys/:keyId', () => {
  const keyIdOf = (username: string) =>
    (
      testApp.db.prepare('SELECT k.id FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.username = ?').get(username) as {
        id: string;
      }
    ).id;

  it('revokes a key, which fails on the very next request', async () => {
    testApp = await createTestApp();
    const key = await apiKeyFor(testApp, 'user');
    const token = await tokenFor(testApp, 'user');
    const response = await inject('DELETE', `/auth/api-keys/${keyIdOf('test-user')}`, token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true });
    expect((await inject('GET', '/auth/me', key)).json()).toEqual(INVALID_KEY);
  });

  it("answers 404 for someone else's key, and lets an admin revoke any key", async () => {
    testApp = await createTestApp();
    await apiKeyFor(testApp, 'viewer');
    const keyId = keyIdOf('test-viewer');
    const other = await inject('DELETE', `/auth/api-keys/${keyId}`, await tokenFor(testApp, 'user'));
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual(errorBody('NOT_FOUND', 'API key not found', 'You have no API key with that id'));
    expect((await inject('DELETE', `/auth/api-keys/${keyId}`, await tokenFor(testApp, 'admin'))).statusCode).toBe(200);
  });

  it('answers 400 for a malformed id and 401 without a token', async () => {
    testApp = await createTestApp();
    expect((await inject('DELETE', '/auth/api-keys/nope', await tokenFor(testApp, 'user'))).json()).toEqual(
      invalid('params.keyId', 'must be an API key id (key_ and 16 hex digits)'),
    );
    expect((await inject('DELETE', `/auth/api-keys/key_${'0'.repeat(16)}`)).json()).toEqual(NO_TOKEN);
  });

  it('refuses an unknown key of the right format', async () => {
    testApp = await createTestApp();
    expect((await inject('GET', '/auth/me', `hlr_${'0'.repeat(64)}`)).json()).toEqual(INVALID_KEY);
  });
});

describe('starred apps', () => {
  it('stars and unstars apps per user, idempotently', async () => {
    testApp = await createTestApp();
    const user = await tokenFor(testApp, 'user');
    const viewer = await tokenFor(testApp, 'viewer');
    expect((await inject('POST', '/auth/me/stars/mediaserver-plex', user)).json()).toEqual({ success: true, stars: ['mediaserver-plex'] });
    await inject('POST', '/auth/me/stars/mediaserver-plex', user);
    await inject('POST', '/auth/me/stars/mediamanager-sonarr', user);
    expect((await inject('GET', '/auth/me/stars', user)).json()).toEqual({
      success: true,
      stars: ['mediaserver-plex', 'mediamanager-sonarr'],
    });
    expect((await inject('GET', '/auth/me/stars', viewer)).json()).toEqual({ success: true, stars: [] });
    expect((await inject('DELETE', '/auth/me/stars/mediaserver-plex', user)).json()).toEqual({
      success: true,
      stars: ['mediamanager-sonarr'],
    });
    expect((await inject('DELETE', '/auth/me/stars/mediaserver-plex', user)).statusCode).toBe(200);
  });

  it('answers 404 for an app the catalog does not have', async () => {
    testApp = await createTestApp();
    const response = await inject('POST', '/auth/me/stars/mediaserver-nosuchapp', await tokenFor(testApp, 'user'));
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual(errorBody('NOT_FOUND', 'App not found', 'No app with id mediaserver-nosuchapp is in the catalog'));
  });

  it('answers 400 for a malformed app id and 401 without a token', async () => {
    testApp = await createTestApp();
    expect((await inject('POST', '/auth/me/stars/..%2F..', await tokenFor(testApp, 'user'))).json()).toEqual(
      invalid('params.appId', 'must be an app id such as mediaserver-plex'),
    );
    expect((await inject('GET', '/auth/me/stars')).json()).toEqual(NO_TOKEN);
    expect((await inject('POST', '/auth/me/stars/mediaserver-plex')).json()).toEqual(NO_TOKEN);
    expect((await inject('DELETE', '/auth/me/stars/mediaserver-plex')).json()).toEqual(NO_TOKEN);
  });
});

describe('GET /auth/activity-log', () => {
  it('pages through logins, user and key changes, newest first, as {activities, total}', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'first-admin-pass' } });
    await testApp.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'admin', password: 'wrong-password' } });
    await apiKeyFor(testApp, 'user');
    const admin = await tokenFor(testApp, 'admin');
    const page = await inject('GET', '/auth/activity-log?limit=2&offset=0', admin);
    expect(page.statusCode).toBe(200);
    const body = page.json();
    expect(body).toMatchObject({ success: true, limit: 2, offset: 0, total: 5 });
    expect(body.activities.map((entry: { action: string }) => entry.action)).toEqual(['auth.login', 'apikey.create']);
    const all = (await inject('GET', `/auth/activity-log?limit=100`, admin)).json();
    expect(all.total).toBe(body.total);
    expect(all.activities.map((entry: { action: string }) => entry.action).reverse()).toEqual([
      'user.create',
      'auth.login_failed',
      'auth.login',
      'apikey.create',
      'auth.login',
    ]);
    const second = (await inject('GET', '/auth/activity-log?limit=2&offset=2', admin)).json();
    expect(second.activities.map((entry: { action: string }) => entry.action)).toEqual(['auth.login', 'auth.login_failed']);
  });

  it('answers each entry with the original’s field names and types', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'first-admin-pass' } });
    const agent = 'HomelabARR-Mobile/2.1 (iPhone)';
    await testApp.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'user-agent': agent },
      payload: { username: 'admin', password: 'wrong-password' },
    });
    const userToken = await tokenFor(testApp, 'user');
    const created = await testApp.app.inject({
      method: 'POST',
      url: '/auth/api-keys',
      headers: { ...bearer(userToken), 'user-agent': agent },
      payload: { label: 'Phone' },
    });
    const keyId = created.json().apiKey.id as string;
    const userId = testApp.ctx.services.users.findByUsername('test-user')?.id as string;
    const admin = await tokenFor(testApp, 'admin');
    const { activities } = (await inject('GET', '/auth/activity-log?limit=100', admin)).json();
    const byAction = (action: string) => activities.find((entry: { action: string }) => entry.action === action);
    expect(byAction('auth.login_failed')).toEqual({
      id: expect.stringMatching(/^\d+$/),
      userId: null,
      username: 'admin',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      action: 'auth.login_failed',
      targetType: null,
      targetId: null,
      targetName: null,
      details: { reason: 'wrong_password' },
      ipAddress: '127.0.0.1',
      userAgent: agent,
    });
    expect(byAction('apikey.create')).toEqual({
      id: expect.stringMatching(/^\d+$/),
      userId,
      username: 'test-user',
      timestamp: expect.any(String),
      action: 'apikey.create',
      targetType: 'apiKey',
      targetId: keyId,
      targetName: 'Phone',
      details: { keyId, role: 'user', expiresAt: null },
      ipAddress: '127.0.0.1',
      userAgent: agent,
    });
    // The test helper signs in through inject(), whose default User-Agent is lightMyRequest.
    const login = activities.find(
      (entry: { action: string; username: string }) => entry.action === 'auth.login' && entry.username === 'test-user',
    );
    expect(login).toMatchObject({ userId, targetType: 'user', targetId: userId, targetName: 'test-user', userAgent: 'lightMyRequest' });
    expect(Number(activities[0].id)).toBeGreaterThan(Number(activities[1].id));
  });

  it('answers 400 for a bad page, 401 without a token and 403 for a user', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    expect((await inject('GET', '/auth/activity-log?limit=0', admin)).json()).toEqual(invalid('querystring.limit', 'must be at least 1'));
    expect((await inject('GET', '/auth/activity-log')).json()).toEqual(NO_TOKEN);
    expect((await inject('GET', '/auth/activity-log', await tokenFor(testApp, 'user'))).json()).toEqual(NEEDS_ADMIN);
  });
});

describe('guards', () => {
  const authenticator: Authenticator = {
    authenticate: (request) =>
      Promise.resolve(
        request.headers.authorization === 'Bearer viewer'
          ? { userId: 'u1', username: 'v', role: 'viewer' as const, sessionId: 's1', apiKeyId: null }
          : null,
      ),
  };

  async function appWithConditionalRoute(authEnabled: boolean) {
    const app = Fastify();
    installErrorHandlers(app);
    app.decorateRequest('principal', null);
    const guards = createGuards(authenticator, authEnabled);
    app.post('/operate', { onRequest: guards.conditional('user') }, (request) => ({ principal: request.principal?.username ?? null }));
    await app.ready();
    return app;
  }

  it('lets Conditional routes through without a token when AUTH_ENABLED=false, still knowing a caller who sends one', async () => {
    const app = await appWithConditionalRoute(false);
    expect((await app.inject({ method: 'POST', url: '/operate' })).json()).toEqual({ principal: null });
    expect((await app.inject({ method: 'POST', url: '/operate', headers: { authorization: 'Bearer viewer' } })).json()).toEqual({
      principal: 'v',
    });
    await app.close();
  });

  it('requires a token and the role on Conditional routes when AUTH_ENABLED=true', async () => {
    const app = await appWithConditionalRoute(true);
    expect((await app.inject({ method: 'POST', url: '/operate' })).statusCode).toBe(401);
    const viewer = await app.inject({ method: 'POST', url: '/operate', headers: { authorization: 'Bearer viewer' } });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toEqual(errorBody('FORBIDDEN', 'Not allowed', 'This action needs the user role or higher'));
    await app.close();
  });

  it('keeps Required auth routes closed when AUTH_ENABLED=false', async () => {
    testApp = await createTestApp({ config: { authEnabled: false } });
    expect((await inject('GET', '/auth/users')).json()).toEqual(NO_TOKEN);
    expect((await inject('GET', '/auth/me', await tokenFor(testApp, 'viewer'))).statusCode).toBe(200);
  });
});
