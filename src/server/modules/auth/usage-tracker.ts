// When sessions and API keys were last used, kept in memory and written in one batch every
// minute (and at shutdown): an authenticated request never costs a disk write.
import type { ApiKeysRepository } from './api-keys.repository.js';
import type { SessionsRepository } from './sessions.repository.js';

export const USAGE_FLUSH_INTERVAL_MS = 60_000;

function toIsoTimes(times: Map<string, number>): Map<string, string> {
  return new Map([...times].map(([id, atMs]) => [id, new Date(atMs).toISOString()]));
}

export class UsageTracker {
  // Epoch milliseconds: noting a use is on every authenticated request, so it stays a number until a flush or a read.
  private sessionSeen = new Map<string, number>();
  private keyUsed = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly apiKeys: ApiKeysRepository,
  ) {}

  noteSession(sessionId: string, atMs: number): void {
    this.sessionSeen.set(sessionId, atMs);
  }

  noteKey(keyId: string, atMs: number): void {
    this.keyUsed.set(keyId, atMs);
  }

  /** ISO time of the session's last request not yet written to the database. */
  sessionLastSeen(sessionId: string): string | undefined {
    const atMs = this.sessionSeen.get(sessionId);
    return atMs === undefined ? undefined : new Date(atMs).toISOString();
  }

  /** ISO time of the key's last use not yet written to the database. */
  keyLastUsed(keyId: string): string | undefined {
    const atMs = this.keyUsed.get(keyId);
    return atMs === undefined ? undefined : new Date(atMs).toISOString();
  }

  flush(): void {
    const sessionSeen = this.sessionSeen;
    const keyUsed = this.keyUsed;
    this.sessionSeen = new Map();
    this.keyUsed = new Map();
    try {
      if (sessionSeen.size > 0) this.sessions.touchMany(toIsoTimes(sessionSeen));
      if (keyUsed.size > 0) this.apiKeys.touchMany(toIsoTimes(keyUsed));
    } catch (error) {
      // A full or read-only disk: keep the times for the next flush (newer ones noted meanwhile win).
      for (const [id, at] of sessionSeen) if (!this.sessionSeen.has(id)) this.sessionSeen.set(id, at);
      for (const [id, at] of keyUsed) if (!this.keyUsed.has(id)) this.keyUsed.set(id, at);
      throw error;
    }
  }

  start(intervalMs = USAGE_FLUSH_INTERVAL_MS): void {
    if (this.timer) return;
    // A throw inside a timer would end the process; a failed flush is simply retried at the next tick.
    this.timer = setInterval(() => {
      try {
        this.flush();
      } catch {
        // Kept for the next tick; the requests that write (logins, deploys) report the disk problem themselves.
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      this.flush();
    } catch {
      // Shutting down on a full or read-only disk: last-seen times are worth less than a clean exit.
    }
  }
}
