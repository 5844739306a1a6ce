// api tier: `homelabarr backup` and `homelabarr restore` on a DATA_DIR on disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/server/cli.js';
import { appOnDataDir, recordingIo } from './ops-helpers.js';

let root: string;
let dataDir: string;
let sleeper: ChildProcess | undefined;

const env = (): Record<string, string> => ({ DATA_DIR: dataDir });

async function createUser(username: string, password: string): Promise<void> {
  expect(await runCli(['create-user', username, '--password-stdin'], recordingIo(env(), `${password}\n`))).toBe(0);
}

async function canLogIn(username: string, password: string): Promise<boolean> {
  const { app, close } = await appOnDataDir(dataDir);
  try {
    return (await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } })).statusCode === 200;
  } finally {
    await close();
  }
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'hlr-backup-test-'));
  dataDir = path.join(root, 'data');
});

afterEach(() => {
  if (sleeper?.pid !== undefined && sleeper.exitCode === null) process.kill(sleeper.pid, 'SIGKILL');
  sleeper = undefined;
  rmSync(root, { recursive: true, force: true });
});

describe('homelabarr backup and restore', () => {
  it('round-trips the database and the rendered stacks, keeping what restore replaced aside', async () => {
    await createUser('alice', 'alice-password-1');
    const stack = path.join(dataDir, 'stacks', 'mediaserver-plex');
    mkdirSync(stack, { recursive: true });
    writeFileSync(path.join(stack, 'compose.yaml'), 'services:\n  plex:\n    image: ${PLEXIMAGE}\n');
    writeFileSync(path.join(stack, '.env'), "PLEXIMAGE='lscr.io/linuxserver/plex:latest'\n");

    const file = path.join(root, 'homelabarr-backup.tar.gz');
    const backup = recordingIo(env());
    expect(await runCli(['backup', file], backup)).toBe(0);
    expect(backup.output).toBe(
      `Backed up homelabarr.db, stacks from ${dataDir} to ${file} (${statSync(file).size} bytes).\n` +
        'The backup holds password hashes and deploy secrets: keep it where only you can read it.\n',
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);

    await createUser('bob', 'bob-password-12');
    rmSync(stack, { recursive: true });

    const restore = recordingIo(env());
    expect(await runCli(['restore', file], restore)).toBe(0);
    const aside = readdirSync(dataDir).find((name) => name.startsWith('pre-restore-'));
    expect(aside).toMatch(/^pre-restore-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(restore.output).toBe(
      `Restored homelabarr.db, stacks into ${dataDir}.\n` +
        `What was there before is in ${path.join(dataDir, aside as string)}; delete it once the server runs well.\n` +
        'Start the server: it applies any newer migrations to the restored database.\n',
    );
    expect(readFileSync(path.join(stack, '.env'), 'utf8')).toBe("PLEXIMAGE='lscr.io/linuxserver/plex:latest'\n");
    expect(statSync(path.join(dataDir, 'homelabarr.db')).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(dataDir, 'server.lock'))).toBe(false);
    expect(await canLogIn('alice', 'alice-password-1')).toBe(true);
    expect(await canLogIn('bob', 'bob-password-12')).toBe(false);
    expect(readdirSync(path.join(dataDir, aside as string)).sort()).toEqual(expect.arrayContaining(['homelabarr.db']));
  });

  it('refuses to restore while a server holds the DATA_DIR lock, and changes nothing', async () => {
    await createUser('alice', 'alice-password-1');
    const file = path.join(root, 'backup.tar.gz');
    expect(await runCli(['backup', file], recordingIo(env()))).toBe(0);
    // A live process owning the lock stands in for a running server.
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = sleeper.pid as number;
    writeFileSync(path.join(dataDir, 'server.lock'), String(pid));
    const before = readdirSync(dataDir).sort();

    const io = recordingIo(env());
    expect(await runCli(['restore', file], io)).toBe(1);
    expect(io.errors).toBe(
      `Refusing to restore while a server runs: Another HomelabARR server (pid ${pid}) is using this DATA_DIR (${dataDir}). Stop it first, or give this server its own DATA_DIR.\n`,
    );
    expect(io.output).toBe('');
    expect(readdirSync(dataDir).sort()).toEqual(before);
    expect(readFileSync(path.join(dataDir, 'server.lock'), 'utf8')).toBe(String(pid));
  });

  it('refuses files that are not HomelabARR backups', async () => {
    await createUser('alice', 'alice-password-1');
    const notGzip = path.join(root, 'notes.txt');
    writeFileSync(notGzip, 'just text');
    const garbage = recordingIo(env());
    expect(await runCli(['restore', notGzip], garbage)).toBe(1);
    expect(garbage.errors).toMatch(
      new RegExp(`^Restore failed: ${notGzip.replace(/[.]/g, '\\.')} is not a readable \\.tar\\.gz: tar exited with code 2`),
    );

    const other = path.join(root, 'other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'photo.jpg'), 'jpeg');
    const otherArchive = path.join(root, 'other.tar.gz');
    await new Promise<void>((resolve, reject) =>
      spawn('tar', ['-czf', otherArchive, '-C', other, 'photo.jpg']).on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`tar ${code}`)),
      ),
    );
    const foreign = recordingIo(env());
    expect(await runCli(['restore', otherArchive], foreign)).toBe(1);
    expect(foreign.errors).toBe('Restore failed: The archive has no homelabarr.db: it is not a HomelabARR backup\n');
    expect(await canLogIn('alice', 'alice-password-1')).toBe(true);
  });

  it('explains a backup of a DATA_DIR that has no database', async () => {
    mkdirSync(dataDir, { recursive: true });
    const io = recordingIo(env());
    expect(await runCli(['backup', path.join(root, 'b.tar.gz')], io)).toBe(1);
    expect(io.errors).toBe(
      `Backup failed: There is no database at ${path.join(dataDir, 'homelabarr.db')}: is DATA_DIR (${dataDir}) right?\n`,
    );
  });

  it('prints its usage for a missing file argument', async () => {
    const io = recordingIo(env());
    expect(await runCli(['backup'], io)).toBe(2);
    expect(io.errors).toBe('give exactly one file\nUsage: homelabarr backup <file.tar.gz>\n');
  });
});
