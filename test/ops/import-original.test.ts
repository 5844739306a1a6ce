// api tier: upgrading from the original product. Its server/config/*.json (users with bcrypt
// hashes, API keys in clear, stars per user id) and its apps/ templates, imported with the CLI,
// then used through the real app: the users log in with their old passwords, the keys work.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/server/cli.js';
import { appOnDataDir, recordingIo } from './ops-helpers.js';

const FOREIGN_TEMPLATES = path.resolve('test/fixtures/catalog/foreign/apps');
const ADMIN_KEY = `hlr_${'a1'.repeat(32)}`;
const REVOKED_KEY = `hlr_${'b2'.repeat(32)}`;

let root: string;
let dataDir: string;
let checkout: string;

/** The original product's own shapes, as its server wrote them. */
function writeOriginalCheckout(): void {
  const config = path.join(checkout, 'server', 'config');
  mkdirSync(config, { recursive: true });
  writeFileSync(
    path.join(config, 'users.json'),
    JSON.stringify(
      [
        {
          id: 'user_e1b8wsmtnmdbw9dmk',
          username: 'admin',
          email: 'admin@homelabarr.local',
          role: 'admin',
          password: bcrypt.hashSync('Orig-admin-pass-1', 4),
          createdAt: '2025-07-20T16:31:33.692Z',
          lastLogin: '2025-08-21T10:43:46.748Z',
        },
        {
          id: 'user_k2l9xq0abcmdbw9d',
          username: 'sonarr-fan',
          email: '',
          role: 'user',
          password: bcrypt.hashSync('tv-shows-forever', 4),
          createdAt: '2025-07-21T08:00:00.000Z',
          lastLogin: null,
        },
        {
          id: 'user_default000000',
          username: 'lazy',
          email: '',
          role: 'user',
          password: bcrypt.hashSync('admin', 4),
          createdAt: '2025-07-22T08:00:00.000Z',
          lastLogin: null,
        },
      ],
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(config, 'api-keys.json'),
    JSON.stringify([
      {
        id: 'key_0123456789abcdef',
        key: ADMIN_KEY,
        userId: 'user_e1b8wsmtnmdbw9dmk',
        label: 'Mobile App',
        createdAt: '2025-08-01T00:00:00.000Z',
        lastUsed: '2025-08-20T00:00:00.000Z',
        revoked: false,
      },
      {
        id: 'key_fedcba9876543210',
        key: REVOKED_KEY,
        userId: 'user_e1b8wsmtnmdbw9dmk',
        label: 'Old phone',
        createdAt: '2025-07-01T00:00:00.000Z',
        lastUsed: null,
        revoked: true,
      },
      {
        id: 'key_aaaaaaaaaaaaaaaa',
        key: `hlr_${'c3'.repeat(32)}`,
        userId: 'user_gone',
        label: 'Ghost',
        createdAt: '2025-07-01T00:00:00.000Z',
        lastUsed: null,
        revoked: false,
      },
    ]),
  );
  writeFileSync(
    path.join(config, 'stars.json'),
    JSON.stringify({ user_e1b8wsmtnmdbw9dmk: ['mediaserver-plex', 'no-such-app'], user_k2l9xq0abcmdbw9d: ['sonarr'] }),
  );
  cpSync(FOREIGN_TEMPLATES, path.join(checkout, 'apps'), { recursive: true });
}

async function login(
  app: Awaited<ReturnType<typeof appOnDataDir>>['app'],
  username: string,
  password: string,
): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } });
  return { statusCode: response.statusCode, body: response.json() };
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'hlr-upgrade-'));
  dataDir = path.join(root, 'data');
  checkout = path.join(root, 'homelabarr-ce');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('homelabarr import-users', () => {
  it("logs in the users of the original product's users.json with their own passwords", async () => {
    writeOriginalCheckout();
    const io = recordingIo({ DATA_DIR: dataDir });
    expect(await runCli(['import-users', path.join(checkout, 'server', 'config', 'users.json')], io)).toBe(0);
    expect(io.output).toBe(
      'Imported admin admin (user_e1b8wsmtnmdbw9dmk).\nImported user sonarr-fan (user_k2l9xq0abcmdbw9d).\nImported user lazy (user_default000000).\n3 imported, 0 skipped.\n',
    );

    const { app, close } = await appOnDataDir(dataDir);
    try {
      const admin = await login(app, 'admin', 'Orig-admin-pass-1');
      expect(admin.statusCode).toBe(200);
      expect(admin.body.user).toEqual({
        id: 'user_e1b8wsmtnmdbw9dmk',
        username: 'admin',
        email: 'admin@homelabarr.local',
        role: 'admin',
        lastLogin: expect.any(String),
      });
      const fan = await login(app, 'sonarr-fan', 'tv-shows-forever');
      expect(fan.statusCode).toBe(200);
      expect((fan.body.user as { role: string }).role).toBe('user');
      expect((await login(app, 'sonarr-fan', 'wrong-password')).statusCode).toBe(401);
      // The original shipped "admin" as a default password: such a login stays closed until reset.
      expect((await login(app, 'lazy', 'admin')).statusCode).toBe(401);
    } finally {
      await close();
    }
  });
});

describe('homelabarr import-original', () => {
  it('imports users, API keys and stars, and says how to keep the templates', async () => {
    writeOriginalCheckout();
    const io = recordingIo({ DATA_DIR: dataDir });
    expect(await runCli(['import-original', checkout], io)).toBe(0);
    expect(io.errors).toBe('');
    expect(io.output).toBe(
      [
        `From ${path.join(checkout, 'server', 'config')}:`,
        '  user admin (admin) imported; the password stays the same',
        '  user sonarr-fan (user) imported; the password stays the same',
        '  user lazy (user) imported; the password stays the same',
        '  user lazy had a well-known default password: its login is disabled until homelabarr reset-password lazy',
        '  API key "Mobile App" of admin imported; it keeps working as it is',
        '  key Ghost skipped: its user user_gone was not imported',
        '  1 revoked API key(s) left behind',
        '  2 starred app(s) imported',
        "  admin's star no-such-app skipped: no app of the catalog matches it",
        '',
        "Templates: 5 of the original's apps/ load here (0 cannot).",
        '  To keep them in the catalog, add to .env and restart:',
        `    CLI_BRIDGE_HOST_PATH=${checkout}`,
        '',
      ].join('\n'),
    );

    const { app, close } = await appOnDataDir(dataDir);
    try {
      const admin = await login(app, 'admin', 'Orig-admin-pass-1');
      expect(admin.statusCode).toBe(200);
      const me = await app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(me.statusCode).toBe(200);
      expect(me.json().user).toMatchObject({ id: 'user_e1b8wsmtnmdbw9dmk', username: 'admin', role: 'admin' });
      const revoked = await app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${REVOKED_KEY}` } });
      expect(revoked.statusCode).toBe(401);
      expect(revoked.json()).toEqual({
        error: 'Invalid API key',
        details: 'The API key is unknown or was revoked',
        code: 'UNAUTHENTICATED',
        requestId: expect.any(String),
      });

      const adminStars = await app.inject({ url: '/auth/me/stars', headers: { authorization: `Bearer ${admin.body.token as string}` } });
      expect(adminStars.json()).toMatchObject({ success: true, stars: ['mediaserver-plex'] });
      const fan = await login(app, 'sonarr-fan', 'tv-shows-forever');
      const fanStars = await app.inject({ url: '/auth/me/stars', headers: { authorization: `Bearer ${fan.body.token as string}` } });
      expect(fanStars.json()).toMatchObject({ success: true, stars: ['mediamanager-sonarr'] });
    } finally {
      await close();
    }

    const again = recordingIo({ DATA_DIR: dataDir });
    expect(await runCli(['import-original', path.join(checkout, 'server', 'config')], again)).toBe(0);
    expect(again.output).toContain('  user admin skipped: a user with this username already exists\n');
    expect(again.output).toContain('  key Mobile App skipped: already imported\n');
    expect(again.output).toContain('  0 starred app(s) imported\n');
  });

  it('loads the original templates once CLI_BRIDGE_HOST_PATH points at the checkout', async () => {
    writeOriginalCheckout();
    const io = recordingIo({ DATA_DIR: dataDir, CLI_BRIDGE_HOST_PATH: checkout });
    expect(await runCli(['import-original', checkout], io)).toBe(0);
    expect(io.output).toContain('  CLI_BRIDGE_HOST_PATH already points at them: they are in the catalog.\n');
    const { app, close } = await appOnDataDir(dataDir, { cliBridgeHostPath: checkout });
    try {
      const listing = await app.inject({ url: '/applications?search=qbittorrent' });
      expect(listing.json().totalApps).toBeGreaterThan(0);
    } finally {
      await close();
    }
  });

  it('refuses a folder that holds no users.json', async () => {
    mkdirSync(checkout, { recursive: true });
    const io = recordingIo({ DATA_DIR: dataDir });
    expect(await runCli(['import-original', checkout], io)).toBe(1);
    expect(io.errors).toBe(
      `No users.json in ${checkout} or ${path.join(checkout, 'server', 'config')}: point at the original checkout or its server/config folder\n`,
    );
    expect(io.output).toBe('');
  });
});
