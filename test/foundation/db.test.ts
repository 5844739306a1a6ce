import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyMigrations, createOtherWritersProbe, DatabaseStartupError, openDatabase } from '../../src/server/infra/db.js';

describe('openDatabase', () => {
  it('creates the database in WAL mode with every migration applied once', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hlr-db-'));
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const applied = (db.prepare('SELECT name FROM schema_migrations ORDER BY version').all() as { name: string }[]).map((row) => row.name);
    expect(applied[0]).toBe('0001_init.sql');
    expect(applyMigrations(db)).toEqual([]);
    db.close();
    const reopened = openDatabase(dir);
    expect((reopened.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(applied.length);
    reopened.close();
  });

  it('turns a corrupt database file into a startup error that says what to do', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hlr-db-'));
    writeFileSync(path.join(dir, 'homelabarr.db'), 'this is not a database at all'.repeat(200));
    expect(() => openDatabase(dir)).toThrowError(DatabaseStartupError);
    expect(() => openDatabase(dir)).toThrowError(/restore a backup/);
  });
});

describe('createOtherWritersProbe', () => {
  it("reports another connection's commits once each, and never this connection's own", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hlr-db-probe-'));
    const server = openDatabase(dir);
    const cli = openDatabase(dir);
    const probe = createOtherWritersProbe(server);
    expect(probe()).toBe(false);
    server.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('own', 'x', 'now')").run();
    expect(probe()).toBe(false);
    cli.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('other', 'y', 'now')").run();
    expect(probe()).toBe(true);
    expect(probe()).toBe(false);
    cli.close();
    server.close();
  });
});
