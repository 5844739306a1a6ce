// api tier: admin user management (register, list, change, delete, set password) and the first-start admin.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  apiKeyFor,
  bearer,
  ensureTestUser,
  errorBody,
  invalid,
  ManualClock,
  NEEDS_ADMIN,
  NO_TOKEN,
  SESSION_ENDED,
  TEST_PASSWORD,
  testUsername,
  tokenFor,
} from '../helpers/auth.js';
import { ConfigError } from '../../src/server/config.js';
import { openDatabase } from '../../src/server/infra/db.js';
import { nodeSecretFiles } from '../../src/server/infra/secret-files.js';
import { ActivityRepository } from '../../src/server/modules/activity/activity.repository.js';
import { ActivityService } from '../../src/server/modules/activity/activity.service.js';
import { createAuthModule } from '../../src/server/modules/auth/auth.module.js';

let testApp: TestApp;
afterEach(async () => {
  await testApp?.close();
});

const LAST_ADMIN = errorBody(
  'CONFLICT',
  'Last admin',
  'This is the only admin; make another user admin first, so someone can still manage the server',
);

/** The original's sentence for a short password, with our minimum of 8. */
const TOO_SHORT = errorBody('VALIDATION_FAILED', 'Password too short', 'Password must be at least 8 characters long', {
  fields: [{ path: 'body.password', message: 'must be at least 8 characters' }],
});

function inject(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, token?: string, payload?: unknown) {
  return testApp.app.inject({
    method,
    url,
    headers: token ? bearer(token) : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

function login(username: string, password: string) {
  return testApp.app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } });
}

function adminId(): string {
  return testApp.ctx.services.users.findByUsername('admin')?.id as string;
}

describe('POST /auth/register', () => {
  it('creates a user who can then log in, as the seed shows', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const response = await inject('POST', '/auth/register', admin, {
      username: 'viewer',
      password: 'secret-password',
      email: 'user@example.com',
      role: 'user',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      user: { id: expect.stringMatching(/^user_[a-f0-9]{16}$/), username: 'viewer', email: 'user@example.com', role: 'user' },
    });
    expect((await login('viewer', 'secret-password')).statusCode).toBe(200);
  });

  it('defaults the role to user and the email to null', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const response = await inject('POST', '/auth/register', admin, { username: 'plain', password: 'secret-password' });
    expect(response.json().user).toMatchObject({ role: 'user', email: null });
  });

  it('answers 409 for a taken username, whatever its case', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const response = await inject('POST', '/auth/register', admin, { username: 'Admin', password: 'secret-password' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual(errorBody('CONFLICT', 'Username taken', 'A user named Admin already exists; choose another username'));
  });

  it('answers 400 for a bad username, email, role or short password', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    expect((await inject('POST', '/auth/register', admin, { username: 'a b', password: 'secret-password' })).json()).toEqual(
      invalid('body.username', 'must be 3 to 32 letters, digits, _ . or -'),
    );
    expect(
      (await inject('POST', '/auth/register', admin, { username: 'abc', password: 'secret-password', email: 'not-an-email' })).json(),
    ).toEqual(invalid('body.email', 'must be an email address'));
    const badRole = await inject('POST', '/auth/register', admin, { username: 'abc', password: 'secret-password', role: 'root' });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().fields[0].path).toBe('body.role');
    expect((await inject('POST', '/auth/register', admin, { username: 'abc', password: 'short' })).json()).toEqual(TOO_SHORT);
  });

  it('answers 401 without a token and 403 for a non-admin', async () => {
    testApp = await createTestApp();
    const user = await tokenFor(testApp, 'user');
    const payload = { username: 'someone', password: 'secret-password' };
    expect((await inject('POST', '/auth/register', undefined, payload)).json()).toEqual(NO_TOKEN);
    const forbidden = await inject('POST', '/auth/register', user, payload);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual(NEEDS_ADMIN);
  });
});

describe('POST /auth/users (the original product’s path)', () => {
  it('creates a user like POST /auth/register, who can then log in', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const response = await inject('POST', '/auth/users', admin, {
      username: 'family',
      password: 'family-password',
      email: 'family@example.com',
      role: 'viewer',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      user: { id: expect.stringMatching(/^user_[a-f0-9]{16}$/), username: 'family', email: 'family@example.com', role: 'viewer' },
    });
    expect((await login('family', 'family-password')).statusCode).toBe(200);
    const listed = (await inject('GET', '/auth/users', admin)).json<{ username: string; role: string }[]>();
    expect(listed.find((user) => user.username === 'family')?.role).toBe('viewer');
  });

  it('applies the rules of POST /auth/register: 409 for a taken name, 400 for a short password', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    expect((await inject('POST', '/auth/users', admin, { username: 'ADMIN', password: 'secret-password' })).json()).toEqual(
      errorBody('CONFLICT', 'Username taken', 'A user named ADMIN already exists; choose another username'),
    );
    const short = await inject('POST', '/auth/users', admin, { username: 'shorty', password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toEqual(TOO_SHORT);
    expect((await inject('POST', '/auth/users', admin, { password: 'secret-password' })).json()).toEqual(
      invalid('body.username', 'is required'),
    );
  });

  it('answers 401 without a token and 403 for a non-admin', async () => {
    testApp = await createTestApp();
    const payload = { username: 'someone', password: 'secret-password' };
    expect((await inject('POST', '/auth/users', undefined, payload)).json()).toEqual(NO_TOKEN);
    const forbidden = await inject('POST', '/auth/users', await tokenFor(testApp, 'user'), payload);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual(NEEDS_ADMIN);
  });
});

describe('GET /auth/users', () => {
  it('answers a bare array of users with the original’s fields, without password hashes', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    await ensureTestUser(testApp, 'viewer');
    const response = await inject('GET', '/auth/users', admin);
    expect(response.statusCode).toBe(200);
    const users = response.json<Record<string, unknown>[]>();
    expect(Array.isArray(users)).toBe(true);
    expect(users.map((user) => user.username)).toEqual(['admin', 'test-admin', 'test-viewer']);
    expect(users[2]).toEqual({
      id: expect.stringMatching(/^user_[a-f0-9]{16}$/),
      username: 'test-viewer',
      email: 'viewer@example.com',
      role: 'viewer',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      updatedAt: users[2]?.createdAt,
      lastLogin: null,
    });
    // test-admin signed in to get the token: lastLogin is a time, not null.
    expect(users[1]?.lastLogin).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
    expect(response.body).not.toContain('argon2');
  });

  it('moves updatedAt when a user’s role changes', async () => {
    const clock = new ManualClock();
    testApp = await createTestApp({ clock });
    const admin = await tokenFor(testApp, 'admin');
    const id = await ensureTestUser(testApp, 'viewer');
    const viewer = async () => (await inject('GET', '/auth/users', admin)).json<Record<string, unknown>[]>().find((u) => u.id === id);
    expect(await viewer()).toMatchObject({ createdAt: '2025-01-15T10:00:00.000Z', updatedAt: '2025-01-15T10:00:00.000Z' });
    clock.advance(60_000);
    expect((await inject('PATCH', `/auth/users/${id}`, admin, { role: 'user' })).statusCode).toBe(200);
    expect(await viewer()).toMatchObject({ role: 'user', createdAt: '2025-01-15T10:00:00.000Z', updatedAt: '2025-01-15T10:01:00.000Z' });
  });

  it('answers 401 without a token and 403 for a user', async () => {
    testApp = await createTestApp();
    expect((await inject('GET', '/auth/users')).statusCode).toBe(401);
    const forbidden = await inject('GET', '/auth/users', await tokenFor(testApp, 'user'));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual(NEEDS_ADMIN);
  });
});

describe('PATCH /auth/users/:id', () => {
  it('changes role and email', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const id = await ensureTestUser(testApp, 'viewer');
    const response = await inject('PATCH', `/auth/users/${id}`, admin, { role: 'user', email: 'new@example.com' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      user: { id, username: 'test-viewer', email: 'new@example.com', role: 'user', createdAt: expect.any(String), lastLogin: null },
    });
  });

  it('never demotes the last admin', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    // test-admin and admin are both admins: demoting one is fine, the other is then the last.
    expect((await inject('PATCH', `/auth/users/${adminId()}`, admin, { role: 'user' })).statusCode).toBe(200);
    const testAdminId = await ensureTestUser(testApp, 'admin');
    const response = await inject('PATCH', `/auth/users/${testAdminId}`, admin, { role: 'viewer' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual(LAST_ADMIN);
  });

  it('answers 404 for an unknown user and 400 for a bad id or an empty change', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const missing = await inject('PATCH', '/auth/users/user_0000000000000000', admin, { role: 'user' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual(errorBody('NOT_FOUND', 'User not found', 'No user with that id exists'));
    expect((await inject('PATCH', '/auth/users/bad%20id', admin, { role: 'user' })).json()).toEqual(
      invalid('params.id', 'must be a user id (letters, digits, _ or -)'),
    );
    expect((await inject('PATCH', `/auth/users/${adminId()}`, admin, {})).json()).toEqual(invalid('body', 'must change role or email'));
  });

  it('answers 401 without a token and 403 for a user', async () => {
    testApp = await createTestApp();
    expect((await inject('PATCH', `/auth/users/${adminId()}`, undefined, { role: 'user' })).json()).toEqual(NO_TOKEN);
    expect((await inject('PATCH', `/auth/users/${adminId()}`, await tokenFor(testApp, 'user'), { role: 'user' })).json()).toEqual(
      NEEDS_ADMIN,
    );
  });
});

describe('DELETE /auth/users/:id', () => {
  it('deletes a user, whose token and API keys fail on the next request', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const userToken = await tokenFor(testApp, 'user');
    const userKey = await apiKeyFor(testApp, 'user');
    const id = await ensureTestUser(testApp, 'user');
    const response = await inject('DELETE', `/auth/users/${id}`, admin);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true });
    expect((await inject('GET', '/auth/me', userToken)).json()).toEqual(SESSION_ENDED);
    expect((await inject('GET', '/auth/me', userKey)).statusCode).toBe(401);
    expect((await login(testUsername('user'), TEST_PASSWORD)).statusCode).toBe(401);
  });

  it('never deletes yourself', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const response = await inject('DELETE', `/auth/users/${await ensureTestUser(testApp, 'admin')}`, admin);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual(errorBody('CONFLICT', 'Cannot delete yourself', 'Another admin has to delete this account'));
  });

  it('never deletes the last admin', async () => {
    testApp = await createTestApp();
    // Only reachable when the caller is no longer an admin in the database, so drive the service directly.
    const caller = { userId: 'user_ffffffffffffffff', username: 'ghost', role: 'admin' as const, sessionId: null, apiKeyId: null };
    expect(() => testApp.ctx.services.users.delete(caller, adminId(), { ip: null, userAgent: null })).toThrow('Last admin');
  });

  it('answers 404 for an unknown user, 401 without a token and 403 for a user', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    expect((await inject('DELETE', '/auth/users/user_0000000000000000', admin)).statusCode).toBe(404);
    expect((await inject('DELETE', `/auth/users/${adminId()}`)).json()).toEqual(NO_TOKEN);
    expect((await inject('DELETE', `/auth/users/${adminId()}`, await tokenFor(testApp, 'user'))).json()).toEqual(NEEDS_ADMIN);
  });
});

describe('PUT /auth/users/:id/password', () => {
  it("sets the password and ends all of the user's sessions", async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const userToken = await tokenFor(testApp, 'user');
    const id = await ensureTestUser(testApp, 'user');
    const response = await inject('PUT', `/auth/users/${id}/password`, admin, { password: 'set-by-the-admin' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true, message: 'Password set; the user was signed out everywhere' });
    expect((await inject('GET', '/auth/me', userToken)).json()).toEqual(SESSION_ENDED);
    expect((await login(testUsername('user'), 'set-by-the-admin')).statusCode).toBe(200);
  });

  it('accepts newPassword as an alias', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    const id = await ensureTestUser(testApp, 'viewer');
    expect((await inject('PUT', `/auth/users/${id}/password`, admin, { newPassword: 'set-by-the-admin' })).statusCode).toBe(200);
  });

  it('answers 400 for a missing or short password, 404 for an unknown user', async () => {
    testApp = await createTestApp();
    const admin = await tokenFor(testApp, 'admin');
    expect((await inject('PUT', `/auth/users/${adminId()}/password`, admin, {})).json()).toEqual(invalid('body.password', 'is required'));
    expect((await inject('PUT', `/auth/users/${adminId()}/password`, admin, { password: 'short' })).json()).toEqual(TOO_SHORT);
    expect((await inject('PUT', '/auth/users/user_0000000000000000/password', admin, { password: 'long-enough-1' })).statusCode).toBe(404);
  });

  it('answers 401 without a token and 403 for a user', async () => {
    testApp = await createTestApp();
    expect((await inject('PUT', `/auth/users/${adminId()}/password`, undefined, { password: 'long-enough-1' })).json()).toEqual(NO_TOKEN);
    expect(
      (await inject('PUT', `/auth/users/${adminId()}/password`, await tokenFor(testApp, 'user'), { password: 'long-enough-1' })).json(),
    ).toEqual(NEEDS_ADMIN);
  });
});

describe('first start', () => {
  it('generates the admin password, writes it 0600 to DATA_DIR and hands it out once', async () => {
    testApp = await createTestApp();
    const notice = testApp.ctx.services.users.takeInitialAdminNotice();
    expect(notice).toEqual({
      username: 'admin',
      password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
      file: path.join(testApp.dataDir, 'initial-admin-password'),
    });
    expect(testApp.ctx.services.users.takeInitialAdminNotice()).toBeNull();
    const file = notice?.file as string;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${notice?.password}\n`);
    expect((await login('admin', notice?.password as string)).statusCode).toBe(200);
  });

  it('removes the generated password file once the admin changes the password', async () => {
    testApp = await createTestApp();
    const notice = testApp.ctx.services.users.takeInitialAdminNotice();
    const token = (await login('admin', notice?.password as string)).json().token as string;
    await inject('POST', '/auth/change-password', token, { currentPassword: notice?.password, newPassword: 'my-own-admin-password' });
    expect(existsSync(notice?.file as string)).toBe(false);
  });

  it('uses ADMIN_PASSWORD and writes no file', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'from-the-environment' } });
    expect(testApp.ctx.services.users.takeInitialAdminNotice()).toBeNull();
    expect(existsSync(path.join(testApp.dataDir, 'initial-admin-password'))).toBe(false);
    expect((await login('admin', 'from-the-environment')).statusCode).toBe(200);
  });

  it('reads ADMIN_PASSWORD_FILE, without its trailing newline', async () => {
    const secretFile = path.join(os.tmpdir(), `hlr-admin-${process.pid}-${Date.now()}`);
    writeFileSync(secretFile, 'from-a-secret-file\n', { mode: 0o600 });
    testApp = await createTestApp({ config: { adminPasswordFile: secretFile } });
    nodeSecretFiles.remove(secretFile);
    expect((await login('admin', 'from-a-secret-file')).statusCode).toBe(200);
  });

  it('refuses to start with an ADMIN_PASSWORD shorter than PASSWORD_MIN_LENGTH', () => {
    const db = openDatabase(':memory:');
    const auth = createAuthModule({
      db,
      clock: { now: () => new Date(), nowMs: () => Date.now() },
      files: nodeSecretFiles,
      activity: new ActivityService(new ActivityRepository(db), { now: () => new Date(), nowMs: () => Date.now() }),
      config: {
        dataDir: '/nonexistent',
        jwtSecret: undefined,
        jwtExpiresInSeconds: 3600,
        passwordMinLength: 8,
        adminPassword: 'admin',
        adminPasswordFile: undefined,
      },
    });
    expect(() => auth.users.ensureInitialAdmin()).toThrow(ConfigError);
    expect(() => auth.users.ensureInitialAdmin()).toThrow(
      'ADMIN_PASSWORD: the admin password must be at least 8 characters (PASSWORD_MIN_LENGTH)',
    );
    db.close();
  });

  it('creates the database, which holds the hashes and the generated JWT secret, owner-only', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hlr-db-mode-'));
    const db = openDatabase(dataDir);
    db.close();
    expect(statSync(path.join(dataDir, 'homelabarr.db')).mode & 0o777).toBe(0o600);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates no second admin when one exists', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'from-the-environment' } });
    testApp.ctx.services.users.ensureInitialAdmin();
    expect(testApp.ctx.services.users.list().map((user) => user.username)).toEqual(['admin']);
  });
});
