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
    if (sessionSeen.size > 0) this.sessions.touchMany(sessionSeen);
    if (keyUsed.size > 0) this.apiKeys.touchMany(keyUsed);
  }

  start(intervalMs = USAGE_FLUSH_INTERVAL_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }
}
