// JWTs (HS256) that only name a server-side session: the session row, not the token, decides
// whether a request is signed in, so logout and revocation work on the next request.
import { randomBytes, webcrypto } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../../infra/clock.js';
import { AppError } from '../../errors.js';
import type { SettingsRepository } from './settings.repository.js';

const ISSUER = 'homelabarr';
/** Verified tokens remembered at most (a few hundred bytes each): far more than a homelab has live sessions. */
const VERIFIED_TOKENS_KEPT = 1000;
const JWT_SECRET_SETTING = 'jwt_secret';

/** JWT_SECRET when set; otherwise a secret generated on first start and kept in the settings table. */
export function resolveJwtSecret(configured: string | undefined, settings: SettingsRepository, clock: Clock): Uint8Array {
  const secret = configured ?? settings.setIfAbsent(JWT_SECRET_SETTING, randomBytes(64).toString('base64url'), clock.now().toISOString());
  return new TextEncoder().encode(secret);
}

export const tokenExpired = (): AppError => new AppError('UNAUTHENTICATED', 'Token expired', 'Log in again with POST /auth/login');
export const invalidToken = (): AppError =>
  new AppError(
    'UNAUTHENTICATED',
    'Invalid token',
    'The token is malformed or its signature does not verify; log in again with POST /auth/login',
  );
export const sessionEnded = (): AppError =>
  new AppError('UNAUTHENTICATED', 'Session ended', 'This session was logged out or revoked; log in again with POST /auth/login');

export class SessionTokens {
  /**
   * The HMAC key, imported once: given the raw bytes, jose imports a Web Crypto key on every call,
   * which cost ~0.2 ms of CPU per authenticated request (more than the rest of the request).
   */
  private readonly key: Promise<webcrypto.CryptoKey>;

  constructor(
    secret: Uint8Array,
    private readonly clock: Clock,
  ) {
    this.key = webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  /**
   * Tokens whose signature and claims already verified, with their expiry. A token's signature
   * check is a pure function of its bytes and the secret (fixed for the process), so it is done
   * once per token instead of once per request; expiry is still checked on every request, and
   * whether the session is live is decided by the caller's database lookup, never by this cache.
   * Only valid tokens get in, so the cache cannot be filled by forged ones.
   */
  private readonly verified = new Map<string, { claims: { sessionId: string; userId: string }; exp: number }>();

  private remember(token: string, claims: { sessionId: string; userId: string }, exp: number): void {
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, { claims, exp });
  }

  async sign(claims: { sessionId: string; userId: string; expiresAtMs: number }): Promise<string> {
    const nowSeconds = Math.floor(this.clock.nowMs() / 1000);
    return new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(claims.userId)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(Math.floor(claims.expiresAtMs / 1000))
      .sign(await this.key);
  }

  /**
   * The claims of a token already verified and not yet expired, or null (then call verify): lets
   * the common case, a token seen before, be answered without waiting on a promise.
   */
  rememberedClaims(token: string): { sessionId: string; userId: string } | null {
    const known = this.verified.get(token);
    // jose's own rule: a token is expired once its exp (whole seconds) is not after the current second.
    return known && known.exp > Math.floor(this.clock.nowMs() / 1000) ? known.claims : null;
  }

  /** The session the token names; throws UNAUTHENTICATED for expired, forged or malformed tokens (alg none included). */
  async verify(token: string): Promise<{ sessionId: string; userId: string }> {
    const known = this.rememberedClaims(token);
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, await this.key, { algorithms: ['HS256'], issuer: ISSUER, currentDate: this.clock.now() });
      if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') throw invalidToken();
      const claims = { sessionId: payload.sid, userId: payload.sub };
      this.remember(token, claims, payload.exp);
      return claims;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw tokenExpired();
      throw invalidToken();
    }
  }
}
