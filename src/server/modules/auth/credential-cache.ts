// Which user a session or API key belongs to, remembered between requests. Looking it up in SQLite
// was the largest part of what authentication cost a request (~20% of the server's time on a cheap
// route under load, measured with bench/profile.ts; any statement, even PRAGMA data_version, cost
// ~20 µs there against ~2 µs on a quiet machine), for an answer that changes only when someone writes to users,
// sessions or api_keys. So the whole cache is dropped on any such write:
// - writes by this process (every API route, including revoke and logout): the auth repositories
//   report each one through AuthWrites, and the very next request sees it;
// - writes by another process (the CLI's reset-password or create-user while the server runs):
//   SQLite's data_version is read at most every OTHER_WRITERS_CHECK_MS, so such a change is seen
//   by the first request after the check interval; on an idle server that is the next request.

/** Counts writes to the auth tables made by this process; every write method of the auth repositories bumps it. */
export class AuthWrites {
  private count = 0;
  private readonly listeners: (() => void)[] = [];
  private isListenerCallScheduled = false;

  get version(): number {
    return this.count;
  }

  notify(): void {
    this.count += 1;
    if (this.listeners.length === 0 || this.isListenerCallScheduled) return;
    // Writes come inside transactions and in bursts: listeners run once, after the current work.
    this.isListenerCallScheduled = true;
    setImmediate(() => {
      this.isListenerCallScheduled = false;
      for (const listener of this.listeners) listener();
    });
  }

  /** Calls `listener` soon after auth tables were written (coalesced), e.g. to end streams of revoked sessions. */
  onWrite(listener: () => void): void {
    this.listeners.push(listener);
  }
}

/** Far more than a homelab has live sessions and keys; a full cache forgets its oldest entry. */
const MAX_ENTRIES = 1000;
/** How stale a cached answer may be after another process wrote (see above); a timer check costs ~40 ns. */
export const OTHER_WRITERS_CHECK_MS = 100;

export class CredentialCache<T extends object> {
  private readonly entries = new Map<string, T>();
  private seenVersion: number;
  private otherWritersCheckedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly writes: AuthWrites,
    private readonly otherWriters: () => boolean,
  ) {
    this.seenVersion = writes.version;
  }

  /** The cached answer for `key`, or `load()`'s (remembered unless null: unknown credentials are not cached). */
  lookup(key: string, load: () => T | null): T | null {
    // Monotonic time: a rate limit on a probe, not a business date, so it does not follow the injected clock.
    const now = performance.now();
    let externallyChanged = false;
    if (now - this.otherWritersCheckedAt >= OTHER_WRITERS_CHECK_MS) {
      this.otherWritersCheckedAt = now;
      externallyChanged = this.otherWriters();
    }
    if (externallyChanged || this.writes.version !== this.seenVersion) {
      this.entries.clear();
      this.seenVersion = this.writes.version;
    }
    const cached = this.entries.get(key);
    if (cached) return cached;
    const loaded = load();
    if (loaded === null) return null;
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, loaded);
    return loaded;
  }
}
