import type { Db } from '../../infra/db.js';
import type { AuthWrites } from './credential-cache.js';
import { toUserRecord, type UserRecord } from './users.repository.js';

export type SessionRecord = {
  id: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
};

type SessionRow = {
  id: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  user_agent: string | null;
  ip: string | null;
};

function toSessionRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    userAgent: row.user_agent,
    ip: row.ip,
  };
}

export class SessionsRepository {
  private readonly findStatement;

  /** `writes` is told about every write, so cached credential lookups are dropped (credential-cache.ts). */
  constructor(
    private readonly db: Db,
    private readonly writes: AuthWrites,
  ) {
    // Runs on every authenticated request: one indexed join, prepared once.
    this.findStatement = db.prepare(
      `SELECT s.id AS s_id, s.user_id AS s_user_id, s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at,
              s.expires_at AS s_expires_at, s.user_agent AS s_user_agent, s.ip AS s_ip, u.*
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`,
    );
  }

  insert(session: SessionRecord): void {
    this.writes.notify();
    this.db
      .prepare('INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(session.id, session.userId, session.createdAt, session.lastSeenAt, session.expiresAt, session.userAgent, session.ip);
  }

  findWithUser(id: string): { session: SessionRecord; user: UserRecord } | null {
    const row = this.findStatement.get(id) as (Record<string, unknown> & { s_id: string }) | undefined;
    if (!row) return null;
    const session = toSessionRecord({
      id: row.s_id,
      user_id: row.s_user_id as string,
      created_at: row.s_created_at as string,
      last_seen_at: row.s_last_seen_at as string,
      expires_at: row.s_expires_at as string,
      user_agent: row.s_user_agent as string | null,
      ip: row.s_ip as string | null,
    });
    return { session, user: toUserRecord(row as unknown as Parameters<typeof toUserRecord>[0]) };
  }

  listLive(userId: string, nowIso: string): SessionRecord[] {
    return (
      this.db.prepare('SELECT * FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY created_at').all(userId, nowIso) as SessionRow[]
    ).map(toSessionRecord);
  }

  delete(id: string): boolean {
    this.writes.notify();
    return this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id).changes > 0;
  }

  deleteForUser(userId: string, exceptSessionId: string | null = null): number {
    this.writes.notify();
    return this.db.prepare('DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?').run(userId, exceptSessionId).changes;
  }

  deleteExpired(nowIso: string): number {
    this.writes.notify();
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(nowIso).changes;
  }

  touchMany(lastSeen: Map<string, string>): void {
    this.writes.notify();
    const statement = this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?');
    this.db.transaction(() => {
      for (const [id, at] of lastSeen) statement.run(at, id, at);
    })();
  }
}
