import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type Db = Database.Database;

const migrationsDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'migrations');

export class DatabaseStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseStartupError';
  }
}

type Migration = { version: number; name: string; sql: string };

function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 4)), name: file, sql: readFileSync(path.join(dir, file), 'utf8') }));
}

/** Applies every numbered migration not yet applied, each in its own transaction. Safe to run at every start. */
export function applyMigrations(db: Db, dir = migrationsDir): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((row) => row.version));
  const newlyApplied: string[] = [];
  for (const migration of readMigrations(dir)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
    newlyApplied.push(migration.name);
  }
  return newlyApplied;
}

/**
 * Opens (or creates) the database in dataDir, or an in-memory one for ':memory:'.
 * A corrupt, unreadable or read-only database becomes a DatabaseStartupError that says what to do.
 */
export function openDatabase(dataDir: string): Db {
  const file = dataDir === ':memory:' ? ':memory:' : path.join(dataDir, 'homelabarr.db');
  let db: Db | undefined;
  try {
    if (dataDir !== ':memory:') {
      mkdirSync(dataDir, { recursive: true });
      // The database holds password hashes and the generated JWT secret: a new one is owner-only,
      // and SQLite gives its -wal and -shm files the same mode.
      closeSync(openSync(file, 'a', 0o600));
    }
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check reported: ${String(check)}`);
    applyMigrations(db);
    return db;
  } catch (error) {
    db?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseStartupError(
      `Cannot open the database ${file}: ${reason}. ` +
        'If the file is corrupt, restore a backup (homelabarr restore <file>) or move it aside to start fresh; ' +
        'if it is read-only, give the server write access to DATA_DIR.',
    );
  }
}

/**
 * A probe answering "has another connection committed to this database since I last asked?".
 * In practice the other connection is the `homelabarr` CLI (reset-password, create-user) writing
 * while the server runs. SQLite's data_version moves only for other connections' commits, so the
 * server's own writes never trip it; one call costs under a microsecond.
 */
export function createOtherWritersProbe(db: Db): () => boolean {
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let seen = dataVersion.get();
  return () => {
    const current = dataVersion.get();
    if (current === seen) return false;
    seen = current;
    return true;
  };
}
