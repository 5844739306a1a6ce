// JWTs (HS256) that only name a server-side session: the session row, not the token, decides
// whether a request is signed in, so logout and revocation work on the next request.
import { randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../../infra/clock.js';
import { AppError } from '../../errors.js';
import type { SettingsRepository } from './settings.repository.js';

const ISSUER = 'homelabarr';
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
  constructor(
    private readonly secret: Uint8Array,
    private readonly clock: Clock,
  ) {}

  sign(claims: { sessionId: string; userId: string; expiresAtMs: number }): Promise<string> {
    const nowSeconds = Math.floor(this.clock.nowMs() / 1000);
    return new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(claims.userId)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(Math.floor(claims.expiresAtMs / 1000))
      .sign(this.secret);
  }

  /** The session the token names; throws UNAUTHENTICATED for expired, forged or malformed tokens (alg none included). */
  async verify(token: string): Promise<{ sessionId: string; userId: string }> {
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, currentDate: this.clock.now() });
      if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string') throw invalidToken();
      return { sessionId: payload.sid, userId: payload.sub };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw tokenExpired();
      throw invalidToken();
    }
  }
}
