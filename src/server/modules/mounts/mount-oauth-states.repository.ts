import type { Db } from '../../infra/db.js';

export type OAuthStateRecord = {
  stateHash: string;
  containerId: string;
  provider: string;
  redirectUri: string;
  createdAt: string;
  expiresAt: string;
};

type OAuthStateRow = {
  state_hash: string;
  container_id: string;
  provider: string;
  redirect_uri: string;
  created_at: string;
  expires_at: string;
};

/** Pending OAuth flows (mount_oauth_states). */
export class MountOAuthStatesRepository {
  constructor(private readonly db: Db) {}

  add(record: OAuthStateRecord): void {
    this.db
      .prepare(
        'INSERT INTO mount_oauth_states (state_hash, container_id, provider, redirect_uri, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(record.stateHash, record.containerId, record.provider, record.redirectUri, record.createdAt, record.expiresAt);
  }

  /** Removes and returns the flow: a state is good for one completion attempt only. */
  take(stateHash: string): OAuthStateRecord | null {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM mount_oauth_states WHERE state_hash = ?').get(stateHash) as OAuthStateRow | undefined;
      if (!row) return null;
      this.db.prepare('DELETE FROM mount_oauth_states WHERE state_hash = ?').run(stateHash);
      return {
        stateHash: row.state_hash,
        containerId: row.container_id,
        provider: row.provider,
        redirectUri: row.redirect_uri,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      };
    })();
  }

  deleteExpired(nowIso: string): void {
    this.db.prepare('DELETE FROM mount_oauth_states WHERE expires_at <= ?').run(nowIso);
  }
}
