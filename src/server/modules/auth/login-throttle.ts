// Failed-login throttling per client address and per username, in memory: a restart forgets it,
// which is acceptable because hashing already makes each guess cost ~10 ms.
import type { Clock } from '../../infra/clock.js';

export type ThrottleLimit = { maxFailures: number; windowMs: number };
export type ThrottleLimits = { perAddress: ThrottleLimit; perUsername: ThrottleLimit };

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  perAddress: { maxFailures: 10, windowMs: 15 * 60_000 },
  perUsername: { maxFailures: 5, windowMs: 15 * 60_000 },
};

// Bounds memory under a spray of made-up usernames or addresses.
const MAX_TRACKED_KEYS = 10_000;

/** Sliding window of failure times per key. */
class FailureWindow {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: ThrottleLimit,
    private readonly clock: Clock,
  ) {}

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((at) => now - at < this.limit.windowMs);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }

  /** Seconds until the key may try again, or 0. */
  retryAfterSeconds(key: string): number {
    const now = this.clock.nowMs();
    const times = this.recent(key, now);
    if (times.length < this.limit.maxFailures) return 0;
    const oldestCounted = times[times.length - this.limit.maxFailures] ?? now;
    return Math.max(1, Math.ceil((oldestCounted + this.limit.windowMs - now) / 1000));
  }

  add(key: string): void {
    const now = this.clock.nowMs();
    const times = this.recent(key, now);
    times.push(now);
    // Only the last maxFailures times decide anything.
    this.failures.set(key, times.slice(-this.limit.maxFailures));
    if (this.failures.size > MAX_TRACKED_KEYS) {
      const oldestKey = this.failures.keys().next().value;
      if (oldestKey !== undefined) this.failures.delete(oldestKey);
    }
  }

  clear(key: string): void {
    this.failures.delete(key);
  }
}

export class LoginThrottle {
  private readonly byAddress: FailureWindow;
  private readonly byUsername: FailureWindow;

  constructor(clock: Clock, limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS) {
    this.byAddress = new FailureWindow(limits.perAddress, clock);
    this.byUsername = new FailureWindow(limits.perUsername, clock);
  }

  /** Seconds the caller must wait before this attempt is even checked, or 0. */
  retryAfterSeconds(address: string, username: string): number {
    return Math.max(this.byAddress.retryAfterSeconds(address), this.byUsername.retryAfterSeconds(username.toLowerCase()));
  }

  recordFailure(address: string, username: string): void {
    this.byAddress.add(address);
    this.byUsername.add(username.toLowerCase());
  }

  /** A success clears the username's count; the address keeps its count so one good account cannot launder guesses at others. */
  recordSuccess(username: string): void {
    this.byUsername.clear(username.toLowerCase());
  }
}
