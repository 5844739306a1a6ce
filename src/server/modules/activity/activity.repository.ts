import type { Db } from '../../infra/db.js';

export type ActivityEntry = {
  id: number;
  at: string;
  userId: string | null;
  username: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
};

type ActivityRow = {
  id: number;
  at: string;
  user_id: string | null;
  username: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string;
};

export class ActivityRepository {
  private readonly insert;
  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO activity_log (at, user_id, username, action, target, ip, user_agent, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  add(entry: Omit<ActivityEntry, 'id'>): void {
    this.insert.run(
      entry.at,
      entry.userId,
      entry.username,
      entry.action,
      entry.target,
      entry.ip,
      entry.userAgent,
      JSON.stringify(entry.details),
    );
  }

  list(options: { limit: number; offset: number; action?: string; userId?: string }): { entries: ActivityEntry[]; total: number } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (options.action) {
      where.push('action = ?');
      params.push(options.action);
    }
    if (options.userId) {
      where.push('user_id = ?');
      params.push(options.userId);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM activity_log ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, options.limit, options.offset) as ActivityRow[];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM activity_log ${clause}`).get(...params) as { n: number }).n;
    return {
      total,
      entries: rows.map((row) => ({
        id: row.id,
        at: row.at,
        userId: row.user_id,
        username: row.username,
        action: row.action,
        target: row.target,
        ip: row.ip,
        userAgent: row.user_agent,
        details: JSON.parse(row.details) as Record<string, unknown>,
      })),
    };
  }
}
