// unit + api tier: importing the original product's users.json, and the admin CLI around it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashSync as bcryptHashSync } from 'bcryptjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { CliIo } from '../../src/server/cli-command.js';
import { runCli } from '../../src/server/cli.js';
import { testConfig } from '../../src/server/config.js';
import { openDatabase } from '../../src/server/infra/db.js';
import { parseUsersFile } from '../../src/server/modules/auth/users-import.js';

// Cost 4 keeps the suite fast; the original product used 10, which verifies the same way.
const bcrypt = (password: string) => bcryptHashSync(password, 4);

let testApp: TestApp | undefined;
afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

describe('parseUsersFile', () => {
  const alice = {
    id: 'user_1700000000000',
    username: 'alice',
    password: bcrypt('alice-password'),
    email: 'alice@example.com',
    role: 'admin',
  };

  it('reads an array of users', () => {
    const { users, problems } = parseUsersFile([alice, { username: 'bob', passwordHash: bcrypt('bob-password') }]);
    expect(problems).toEqual([]);
    expect(users).toEqual([
      {
        id: 'user_1700000000000',
        username: 'alice',
        email: 'alice@example.com',
        passwordHash: alice.password,
        role: 'admin',
        createdAt: null,
        lastLogin: null,
      },
      {
        id: null,
        username: 'bob',
        email: null,
        passwordHash: expect.stringMatching(/^\$2[ab]\$04\$/),
        role: 'user',
        createdAt: null,
        lastLogin: null,
      },
    ]);
  });

  it('reads {users:[…]} with times, numeric ids and upper-case roles', () => {
    const { users } = parseUsersFile({
      users: [{ ...alice, id: 7, role: 'Viewer', createdAt: '2024-01-15T10:30:00Z', lastLogin: 1705314600000 }],
    });
    expect(users[0]).toMatchObject({
      id: '7',
      role: 'viewer',
      createdAt: '2024-01-15T10:30:00.000Z',
      lastLogin: '2024-01-15T10:30:00.000Z',
    });
  });

  it('reports each entry it cannot import, with the reason', () => {
    const { users, problems } = parseUsersFile([
      alice,
      'not a user',
      { username: 'x', password: bcrypt('pw') },
      { username: 'carol', password: 'plain-text' },
      { username: 'dave', password: bcrypt('pw'), role: 'superuser' },
      { username: 'erin', password: bcrypt('pw'), email: 'nope' },
      { ...alice, username: 'ALICE' },
    ]);
    expect(users.map((user) => user.username)).toEqual(['alice']);
    expect(problems).toEqual([
      { index: 1, username: null, reason: 'is not an object' },
      { index: 2, username: 'x', reason: 'username must be 3 to 32 letters, digits, _ . or -' },
      { index: 3, username: 'carol', reason: 'password must be a bcrypt hash ($2a$, $2b$ or $2y$)' },
      { index: 4, username: 'dave', reason: 'role superuser is not admin, user or viewer' },
      { index: 5, username: 'erin', reason: 'email nope is not an email address' },
      { index: 6, username: 'ALICE', reason: 'username appears twice in the file' },
    ]);
  });

  it('refuses a file that is neither an array nor {users:[…]}', () => {
    expect(parseUsersFile({ accounts: [] })).toEqual({
      users: [],
      problems: [{ index: -1, username: null, reason: 'the file must hold an array of users or an object {"users": [...]}' }],
    });
  });
});

describe('UsersService.importUsers', () => {
  const login = (username: string, password: string) =>
    (testApp as TestApp).app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } });
  const storedHash = (username: string) =>
    ((testApp as TestApp).db.prepare('SELECT password_hash FROM users WHERE username = ?').get(username) as { password_hash: string })
      .password_hash;

  it('imports bcrypt users who log in and are re-hashed with argon2id', async () => {
    testApp = await createTestApp();
    const { users } = parseUsersFile([{ id: 'legacy-1', username: 'alice', password: bcrypt('alice-password'), role: 'user' }]);
    const report = await testApp.ctx.services.users.importUsers(users);
    expect(report).toEqual({ imported: [{ username: 'alice', id: 'legacy-1', role: 'user' }], skipped: [], disabled: [] });
    expect(storedHash('alice')).toMatch(/^\$2[ab]\$/);
    expect((await login('alice', 'wrong-password')).statusCode).toBe(401);
    const response = await login('alice', 'alice-password');
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ id: 'legacy-1', username: 'alice' });
    expect(storedHash('alice')).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login('alice', 'alice-password')).statusCode).toBe(200);
  });

  it('skips usernames that exist and disables logins whose password is a known default', async () => {
    testApp = await createTestApp({ config: { adminPassword: 'first-admin-pass' } });
    const { users } = parseUsersFile({
      users: [
        { username: 'admin', password: bcrypt('admin') },
        { username: 'bob', password: bcrypt('admin') },
      ],
    });
    const report = await testApp.ctx.services.users.importUsers(users);
    expect(report.skipped).toEqual([{ username: 'admin', reason: 'a user with this username already exists' }]);
    expect(report.disabled).toEqual([{ username: 'bob', id: expect.stringMatching(/^user_/) }]);
    expect((await login('bob', 'admin')).statusCode).toBe(401);
    expect((await login('admin', 'first-admin-pass')).statusCode).toBe(200);
  });
});

describe('homelabarr CLI', () => {
  let dataDir: string;
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  function cliIo(stdin = ''): CliIo & { output: string; errors: string } {
    const io = {
      output: '',
      errors: '',
      out: (text: string) => {
        io.output += text;
      },
      err: (text: string) => {
        io.errors += text;
      },
      readStdin: () => Promise.resolve(stdin),
      // PATH comes through testConfig, so config.ts stays the only reader of the environment.
      env: { DATA_DIR: dataDir, PATH: testConfig().executablePath },
    };
    return io;
  }

  const storedUsers = () => {
    const db = openDatabase(dataDir);
    const rows = db.prepare('SELECT username, role, password_hash FROM users ORDER BY username').all() as {
      username: string;
      role: string;
      password_hash: string;
    }[];
    db.close();
    return rows;
  };

  it('imports a users.json file and reports what it skipped', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'hlr-cli-'));
    const file = path.join(dataDir, 'users.json');
    writeFileSync(
      file,
      JSON.stringify([
        { username: 'alice', password: bcrypt('alice-password'), role: 'admin' },
        { username: 'bad user', password: 'x' },
      ]),
    );
    const io = cliIo();
    expect(await runCli(['import-users', file], io)).toBe(1);
    expect(io.output).toMatch(/^Imported admin alice \(user_[a-f0-9]{16}\)\.\n1 imported, 1 skipped\.\n$/);
    expect(io.errors).toBe('Skipped entry 1 (bad user): username must be 3 to 32 letters, digits, _ . or -\n');
    expect(storedUsers().map((user) => [user.username, user.role])).toEqual([['alice', 'admin']]);
  });

  it('creates a user with a password from stdin, and resets it to a generated one', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'hlr-cli-'));
    const create = cliIo('from-standard-input\n');
    expect(await runCli(['create-user', 'carol', '--role', 'viewer', '--password-stdin'], create)).toBe(0);
    expect(create.output).toMatch(/^Created viewer carol \(user_[a-f0-9]{16}\)\.\n$/);
    const hashBefore = storedUsers()[0]?.password_hash;
    const reset = cliIo();
    expect(await runCli(['reset-password', 'carol'], reset)).toBe(0);
    expect(reset.output).toMatch(/^Password of carol set; its sessions have ended\.\nPassword \(shown once\): [A-Za-z0-9_-]{24}\n$/);
    expect(storedUsers()[0]?.password_hash).not.toBe(hashBefore);
  });

  it('explains wrong usage with the command’s usage line and exit code 2', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'hlr-cli-'));
    const io = cliIo();
    expect(await runCli(['create-user', 'carol', '--role', 'root'], io)).toBe(2);
    expect(io.errors).toBe(
      '--role must be admin, user or viewer\nUsage: homelabarr create-user <username> [--role admin|user|viewer] [--email <address>] [--password-stdin]\n',
    );
    const unknown = cliIo();
    expect(await runCli(['frobnicate'], unknown)).toBe(2);
    expect(unknown.errors).toContain('Unknown command frobnicate.');
  });

  it('refuses a short password and a taken username with the reason', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'hlr-cli-'));
    const short = cliIo('short\n');
    expect(await runCli(['create-user', 'dave', '--password-stdin'], short)).toBe(1);
    expect(short.errors).toBe('Password too short: Password must be at least 8 characters long\n');
    await runCli(['create-user', 'dave'], cliIo());
    const taken = cliIo();
    expect(await runCli(['create-user', 'dave'], taken)).toBe(1);
    expect(taken.errors).toBe('Username taken: A user named dave already exists; choose another username\n');
  });
});
