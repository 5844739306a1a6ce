import type { Role } from '../../../contracts/common.js';
import type { Db } from '../../infra/db.js';
import type { AuthWrites } from './credential-cache.js';
import { toUserRecord, type UserRecord } from './users.repository.js';

export type ApiKeyRecord = {
  id: string;
  userId: string;
  username: string;
  label: string;
  keyHash: string;
  keyPrefix: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
};

type ApiKeyRow = {
  id: string;
  user_id: string;
  username: string;
  label: string;
  key_hash: string;
  key_prefix: string;
  role: Role;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
};

function toApiKeyRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    username: row.username,
    label: row.label,
    keyHash: row.key_hash,
    keyPrefix: row.key_prefix,
    role: row.role,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}

const SELECT_WITH_OWNER = 'SELECT k.*, u.username AS username FROM api_keys k JOIN users u ON u.id = k.user_id';

export class ApiKeysRepository {
  private readonly findByHashStatement;

  /** `writes` is told about every write, so cached credential lookups are dropped (credential-cache.ts). */
  constructor(
    private readonly db: Db,
    private readonly writes: AuthWrites,
  ) {
    this.findByHashStatement = db.prepare(
      `SELECT k.id AS k_id, k.user_id AS k_user_id, k.label AS k_label, k.key_hash AS k_key_hash, k.key_prefix AS k_key_prefix,
              k.role AS k_role, k.created_at AS k_created_at, k.expires_at AS k_expires_at, k.last_used_at AS k_last_used_at, u.*
         FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ?`,
    );
  }

  insert(key: Omit<ApiKeyRecord, 'username'>): void {
    this.writes.notify();
    this.db
      .prepare(
        'INSERT INTO api_keys (id, user_id, label, key_hash, key_prefix, role, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(key.id, key.userId, key.label, key.keyHash, key.keyPrefix, key.role, key.createdAt, key.expiresAt, key.lastUsedAt);
  }

  findByHashWithUser(keyHash: string): { key: ApiKeyRecord; user: UserRecord } | null {
    const row = this.findByHashStatement.get(keyHash) as (Record<string, unknown> & { k_id: string }) | undefined;
    if (!row) return null;
    const user = toUserRecord(row as unknown as Parameters<typeof toUserRecord>[0]);
    const key = toApiKeyRecord({
      id: row.k_id,
      user_id: row.k_user_id as string,
      username: user.username,
      label: row.k_label as string,
      key_hash: row.k_key_hash as string,
      key_prefix: row.k_key_prefix as string,
      role: row.k_role as Role,
      created_at: row.k_created_at as string,
      expires_at: row.k_expires_at as string | null,
      last_used_at: row.k_last_used_at as string | null,
    });
    return { key, user };
  }

  findById(id: string): ApiKeyRecord | null {
    const row = this.db.prepare(`${SELECT_WITH_OWNER} WHERE k.id = ?`).get(id) as ApiKeyRow | undefined;
    return row ? toApiKeyRecord(row) : null;
  }

  list(userId: string | null): ApiKeyRecord[] {
    const rows = userId
      ? (this.db.prepare(`${SELECT_WITH_OWNER} WHERE k.user_id = ? ORDER BY k.created_at, k.id`).all(userId) as ApiKeyRow[])
      : (this.db.prepare(`${SELECT_WITH_OWNER} ORDER BY k.created_at, k.id`).all() as ApiKeyRow[]);
    return rows.map(toApiKeyRecord);
  }

  delete(id: string): boolean {
    this.writes.notify();
    return this.db.prepare('DELETE FROM api_keys WHERE id = ?').run(id).changes > 0;
  }

  touchMany(lastUsed: Map<string, string>): void {
    this.writes.notify();
    const statement = this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)');
    this.db.transaction(() => {
      for (const [id, at] of lastUsed) statement.run(at, id, at);
    })();
  }
}
