import type { Db } from '../../infra/db.js';

/** The server's own key/value settings (table settings), e.g. the generated JWT secret. */
export class SettingsRepository {
  constructor(private readonly db: Db) {}

  get(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  set(key: string, value: string, at: string): void {
    this.db
      .prepare(
        'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      )
      .run(key, value, at);
  }

  /** Stores the value unless the key already has one; returns the value that is stored. */
  setIfAbsent(key: string, value: string, at: string): string {
    this.db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING').run(key, value, at);
    return this.get(key) ?? value;
  }
}
