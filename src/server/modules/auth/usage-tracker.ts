// When sessions and API keys were last used, kept in memory and written in one batch every
// minute (and at shutdown): an authenticated request never costs a disk write.
import type { ApiKeysRepository } from './api-keys.repository.js';
import type { SessionsRepository } from './sessions.repository.js';

export const USAGE_FLUSH_INTERVAL_MS = 60_000;

export class UsageTracker {
  private sessionSeen = new Map<string, string>();
  private keyUsed = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly apiKeys: ApiKeysRepository,
  ) {}

  noteSession(sessionId: string, at: string): void {
    this.sessionSeen.set(sessionId, at);
  }

  noteKey(keyId: string, at: string): void {
    this.keyUsed.set(keyId, at);
  }

  sessionLastSeen(sessionId: string): string | undefined {
    return this.sessionSeen.get(sessionId);
  }

  keyLastUsed(keyId: string): string | undefined {
    return this.keyUsed.get(keyId);
  }

  flush(): void {
    const sessionSeen = this.sessionSeen;
    const keyUsed = this.keyUsed;
    this.sessionSeen = new Map();
    this.keyUsed = new Map();
    try {
      if (sessionSeen.size > 0) this.sessions.touchMany(sessionSeen);
      if (keyUsed.size > 0) this.apiKeys.touchMany(keyUsed);
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
