import type { Role } from '../../../contracts/common.js';
import type { Db } from '../../infra/db.js';
import type { AuthWrites } from './credential-cache.js';

export type UserRecord = {
  id: string;
  username: string;
  email: string | null;
  passwordHash: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
  lastLogin: string | null;
};

type UserRow = {
  id: string;
  username: string;
  email: string | null;
  password_hash: string;
  role: Role;
  created_at: string;
  updated_at: string;
  last_login: string | null;
};

export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    passwordHash: row.password_hash,
    role: row.role,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLogin: row.last_login,
  };
}

export class UsersRepository {
  /** `writes` is told about every write, so cached credential lookups are dropped (credential-cache.ts). */
  constructor(
    private readonly db: Db,
    private readonly writes: AuthWrites,
  ) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  countAdmins(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'").get() as { n: number }).n;
  }

  findById(id: string): UserRecord | null {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row ? toUserRecord(row) : null;
  }

  /** Usernames are unique regardless of case. */
  findByUsername(username: string): UserRecord | null {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return row ? toUserRecord(row) : null;
  }

  list(): UserRecord[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY created_at, username').all() as UserRow[]).map(toUserRecord);
  }

  insert(user: UserRecord): void {
    this.writes.notify();
    this.db
      .prepare(
        'INSERT INTO users (id, username, email, password_hash, role, created_at, updated_at, last_login) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(user.id, user.username, user.email, user.passwordHash, user.role, user.createdAt, user.updatedAt, user.lastLogin);
  }

  update(id: string, changes: { role?: Role; email?: string | null }, at: string): void {
    this.writes.notify();
    if (changes.role !== undefined) this.db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE id = ?').run(changes.role, at, id);
    if (changes.email !== undefined) this.db.prepare('UPDATE users SET email = ?, updated_at = ? WHERE id = ?').run(changes.email, at, id);
  }

  setPasswordHash(id: string, passwordHash: string, at: string): void {
    this.writes.notify();
    this.db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?').run(passwordHash, at, id);
  }

  /** Replaces a hash only if it is still the one that was verified (a concurrent password change wins). */
  replacePasswordHash(id: string, expected: string, passwordHash: string): void {
    this.writes.notify();
    this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?').run(passwordHash, id, expected);
  }

  setLastLogin(id: string, at: string): void {
    this.writes.notify();
    this.db.prepare('UPDATE users SET last_login = ? WHERE id = ?').run(at, id);
  }

  delete(id: string): void {
    this.writes.notify();
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }

  /** Runs fn in one transaction, so checks such as "is this the last admin" and the change cannot interleave. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  listStars(userId: string): string[] {
    return (
      this.db.prepare('SELECT app_id FROM user_stars WHERE user_id = ? ORDER BY created_at, app_id').all(userId) as { app_id: string }[]
    ).map((row) => row.app_id);
  }

  addStar(userId: string, appId: string, at: string): void {
    this.writes.notify();
    this.db.prepare('INSERT INTO user_stars (user_id, app_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(userId, appId, at);
  }

  removeStar(userId: string, appId: string): void {
    this.writes.notify();
    this.db.prepare('DELETE FROM user_stars WHERE user_id = ? AND app_id = ?').run(userId, appId);
  }
}
