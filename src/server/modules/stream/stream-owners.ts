// Who a progress stream belongs to: the session or API key that opened it. A stream lives only as
// long as that credential stands; one ended with its credential cannot be resumed, and another
// credential cannot take it over.
import { AppError } from '../../errors.js';

/** The credential a stream was opened or subscribed with; the stream lives only as long as it does. */
export type StreamOwner = Readonly<{ userId: string; sessionId: string | null; apiKeyId: string | null }>;

/** Whether the session or API key behind an owner still stands (not logged out, revoked, expired or deleted). */
export type OwnerCheck = (owner: StreamOwner) => boolean;

export function isSameOwner(a: StreamOwner, b: StreamOwner): boolean {
  return a.userId === b.userId && a.sessionId === b.sessionId && a.apiKeyId === b.apiKeyId;
}

export function streamEnded(): AppError {
  return new AppError(
    'UNAUTHENTICATED',
    'Stream ended',
    'The session or API key that opened this stream was signed out or revoked; sign in again and open a new stream',
  );
}

export function notYourStream(): AppError {
  return new AppError('FORBIDDEN', 'Not your stream', 'This stream client belongs to another session; open a stream of your own');
}

/**
 * Streams ended with their owner's credential, by client id → when: a resume with one of them is
 * refused (401), not started afresh. Kept for the resume window, and never more than `limit`.
 */
export class RevokedClients {
  private readonly endedAtMs = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  has(clientId: string): boolean {
    return this.endedAtMs.has(clientId);
  }

  add(clientId: string, nowMs: number): void {
    this.endedAtMs.set(clientId, nowMs);
    if (this.endedAtMs.size > this.limit) {
      const oldest = this.endedAtMs.keys().next();
      if (!oldest.done) this.endedAtMs.delete(oldest.value);
    }
  }

  /** Forgets the ones ended longer ago than the resume window. */
  expire(nowMs: number): void {
    for (const [clientId, endedAtMs] of this.endedAtMs) {
      if (nowMs - endedAtMs > this.windowMs) this.endedAtMs.delete(clientId);
    }
  }
}
