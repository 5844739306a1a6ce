// Backup and restore of DATA_DIR as one .tar.gz: a consistent copy of the SQLite database made
// with SQLite's online backup API (safe while the server writes to it), plus everything else in
// DATA_DIR (the rendered stacks with their .env values). Restore never runs beside a server: it
// takes the DATA_DIR lock first, and it keeps what it replaces in a pre-restore-<time> folder.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireDataDirLock } from './files.js';
import { runCommand } from './run-command.js';

export const DATABASE_FILE = 'homelabarr.db';
const LOCK_FILE = 'server.lock';
const RESTORE_STAGING_PREFIX = '.restore-';
const PRE_RESTORE_PREFIX = 'pre-restore-';
const TAR_TIMEOUT_MS = 30 * 60_000;
// The backup copies every page in one step: one read transaction, so the copy is one consistent
// snapshot and never restarts because the server wrote meanwhile (WAL readers do not block writers).
const ALL_PAGES = 0x7fffffff;

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export type BackupReport = { file: string; bytes: number; entries: string[] };
export type RestoreReport = { restored: string[]; previousDataKeptIn: string | null };

function tarEnv(): Record<string, string> {
  return { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };
}

/** DATA_DIR entries a backup carries besides the database: all but the lock, the database files and restore leftovers. */
function dataEntries(dataDir: string, exclude: string): string[] {
  return readdirSync(dataDir)
    .filter(
      (name) =>
        name !== LOCK_FILE &&
        !name.startsWith(DATABASE_FILE) &&
        !name.startsWith(RESTORE_STAGING_PREFIX) &&
        !name.startsWith(PRE_RESTORE_PREFIX) &&
        path.join(dataDir, name) !== exclude,
    )
    .sort();
}

/** Writes a consistent backup of DATA_DIR to `file` (mode 0600: it holds password hashes and secrets). */
export async function backupDataDir(dataDir: string, file: string): Promise<BackupReport> {
  const target = path.resolve(file);
  const databaseFile = path.join(dataDir, DATABASE_FILE);
  if (!existsSync(databaseFile)) throw new BackupError(`There is no database at ${databaseFile}: is DATA_DIR (${dataDir}) right?`);
  if (!existsSync(path.dirname(target))) throw new BackupError(`The folder ${path.dirname(target)} does not exist`);
  const staging = mkdtempSync(path.join(os.tmpdir(), 'hlr-backup-'));
  const partial = `${target}.partial`;
  try {
    const source = new Database(databaseFile, { fileMustExist: true });
    try {
      source.pragma('busy_timeout = 5000');
      await source.backup(path.join(staging, DATABASE_FILE), { progress: () => ALL_PAGES });
      chmodSync(path.join(staging, DATABASE_FILE), 0o600);
    } finally {
      source.close();
    }
    const entries = dataEntries(dataDir, target);
    // Created owner-only first: tar truncates an existing file and keeps its mode.
    closeSync(openSync(partial, 'w', 0o600));
    await runCommand(
      'tar',
      ['-czf', partial, '-C', staging, DATABASE_FILE, ...(entries.length > 0 ? ['-C', dataDir, '--', ...entries] : [])],
      {
        env: tarEnv(),
        timeoutMs: TAR_TIMEOUT_MS,
      },
    );
    renameSync(partial, target);
    return { file: target, bytes: statSync(target).size, entries: [DATABASE_FILE, ...entries] };
  } finally {
    rmSync(partial, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

function checkMemberNames(names: string[]): void {
  for (const name of names) {
    const parts = name.split('/');
    if (name.startsWith('/') || parts.includes('..'))
      throw new BackupError(`The archive holds ${name}, which points outside DATA_DIR: it is not a HomelabARR backup`);
  }
  if (!names.some((name) => name === DATABASE_FILE || name === `./${DATABASE_FILE}`)) {
    throw new BackupError(`The archive has no ${DATABASE_FILE}: it is not a HomelabARR backup`);
  }
}

function checkDatabase(file: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`The database in the backup is damaged: ${String(check)}`);
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!table) throw new BackupError('The database in the backup is not a HomelabARR database');
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`The database in the backup cannot be read: ${(error as Error).message}`);
  } finally {
    db?.close();
  }
}

/**
 * Replaces DATA_DIR's contents with a backup. Throws DataDirLockedError while a server uses DATA_DIR
 * (and holds the lock itself meanwhile, so no server starts halfway through).
 */
export async function restoreDataDir(dataDir: string, file: string, now: Date): Promise<RestoreReport> {
  const archive = path.resolve(file);
  if (!existsSync(archive)) throw new BackupError(`There is no file ${archive}`);
  const lock = acquireDataDirLock(dataDir);
  const staging = mkdtempSync(path.join(dataDir, RESTORE_STAGING_PREFIX));
  try {
    const listing = await runCommand('tar', ['-tzf', archive], { env: tarEnv(), timeoutMs: TAR_TIMEOUT_MS }).catch((error: Error) => {
      throw new BackupError(`${archive} is not a readable .tar.gz: ${error.message}`);
    });
    checkMemberNames(listing.stdout.split('\n').filter(Boolean));
    await runCommand('tar', ['-xzpf', archive, '-C', staging, '--no-same-owner'], { env: tarEnv(), timeoutMs: TAR_TIMEOUT_MS });
    checkDatabase(path.join(staging, DATABASE_FILE));
    chmodSync(path.join(staging, DATABASE_FILE), 0o600);
    // The read-only check of a WAL database leaves an empty -wal and -shm behind: not part of the backup.
    for (const suffix of ['-wal', '-shm']) rmSync(path.join(staging, `${DATABASE_FILE}${suffix}`), { force: true });

    const current = readdirSync(dataDir).filter(
      (name) => name !== LOCK_FILE && !name.startsWith(RESTORE_STAGING_PREFIX) && !name.startsWith(PRE_RESTORE_PREFIX),
    );
    let previousDataKeptIn: string | null = null;
    if (current.length > 0) {
      previousDataKeptIn = path.join(dataDir, `${PRE_RESTORE_PREFIX}${now.toISOString().replace(/[:.]/g, '-')}`);
      mkdirSync(previousDataKeptIn, { mode: 0o700 });
      for (const name of current) renameSync(path.join(dataDir, name), path.join(previousDataKeptIn, name));
    }
    const restored = readdirSync(staging).sort();
    for (const name of restored) renameSync(path.join(staging, name), path.join(dataDir, name));
    return { restored, previousDataKeptIn };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    lock.release();
  }
}
