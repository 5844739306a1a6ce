// The Authenticator behind every guard: a Bearer JWT (naming a live session) or an API key.
import { createHash, timingSafeEqual } from 'node:crypto';
import { API_KEY_PATTERN } from '../../../contracts/auth.js';
import type { Role } from '../../../contracts/common.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { ApiKeysRepository } from './api-keys.repository.js';
import type { CredentialCache } from './credential-cache.js';
import type { Authenticator, CredentialCarrier } from './authenticator.js';
import { hasRole, type Principal } from '../../principal.js';
import { sessionEnded, tokenExpired, type SessionTokens } from './session-tokens.js';
import type { SessionsRepository } from './sessions.repository.js';
import type { UsageTracker } from './usage-tracker.js';

export const invalidApiKey = (): AppError => new AppError('UNAUTHENTICATED', 'Invalid API key', 'The API key is unknown or was revoked');
export const apiKeyExpired = (): AppError =>
  new AppError('UNAUTHENTICATED', 'API key expired', 'Create a new key with POST /auth/api-keys');

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The lower of two roles: a key never acts with more than its owner currently has. */
export function lowerRole(a: Role, b: Role): Role {
  return hasRole({ role: a } as Principal, b) ? b : a;
}

/** Authorization: Bearer <token>, X-API-Key: <key>, or ?access_token= (EventSource cannot send headers). */
function readCredential(request: CredentialCarrier): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? null;
  }
  const apiKeyHeader = request.headers['x-api-key'];
  if (typeof apiKeyHeader === 'string' && apiKeyHeader.length > 0) return apiKeyHeader.trim();
  const query = request.query as Record<string, unknown> | undefined;
  const accessToken = query?.access_token;
  return typeof accessToken === 'string' && accessToken.length > 0 ? accessToken : null;
}

/**
 * What a live session or API key grants, as cached between requests: the principal (frozen, since
 * every request with that credential gets the same object) and when the credential expires.
 */
export type CredentialGrant = { principal: Readonly<Principal>; expiresAtMs: number | null };

function grantOf(principal: Principal, expiresAt: string | null): CredentialGrant {
  return { principal: Object.freeze(principal), expiresAtMs: expiresAt === null ? null : Date.parse(expiresAt) };
}

export class TokenAuthenticator implements Authenticator {
  constructor(
    private readonly deps: {
      tokens: SessionTokens;
      sessions: SessionsRepository;
      apiKeys: ApiKeysRepository;
      usage: UsageTracker;
      clock: Clock;
      /** Sessions under `session:<id>`, API keys under `key:<sha256>`: one cache, one check for writes. */
      credentials: CredentialCache<CredentialGrant>;
    },
  ) {}

  authenticate(request: CredentialCarrier): Principal | null | Promise<Principal | null> {
    const credential = readCredential(request);
    if (credential === null) return null;
    if (credential.startsWith('hlr_')) return this.authenticateApiKey(credential);
    const claims = this.deps.tokens.rememberedClaims(credential);
    // Only a token never seen before needs the (asynchronous) signature check.
    if (claims) return this.principalForSession(claims);
    return this.deps.tokens.verify(credential).then((verified) => this.principalForSession(verified));
  }

  /**
   * Whether the session or API key a principal came from still stands: not logged out, revoked,
   * expired, nor its user deleted. For what outlives a request (an open progress stream).
   */
  isPrincipalLive(principal: Pick<Principal, 'userId' | 'sessionId' | 'apiKeyId'>): boolean {
    const nowMs = this.deps.clock.nowMs();
    if (principal.sessionId !== null) {
      const sessionId = principal.sessionId;
      const grant = this.deps.credentials.lookup(`session:${sessionId}`, () => this.loadSessionGrant(sessionId));
      return grant !== null && grant.principal.userId === principal.userId && (grant.expiresAtMs === null || grant.expiresAtMs > nowMs);
    }
    if (principal.apiKeyId !== null) {
      const key = this.deps.apiKeys.findById(principal.apiKeyId);
      return key !== null && key.userId === principal.userId && (key.expiresAt === null || Date.parse(key.expiresAt) > nowMs);
    }
    return true;
  }

  private principalForSession(claims: { sessionId: string; userId: string }): Principal {
    const grant = this.deps.credentials.lookup(`session:${claims.sessionId}`, () => this.loadSessionGrant(claims.sessionId));
    if (!grant || grant.principal.userId !== claims.userId) throw sessionEnded();
    const nowMs = this.deps.clock.nowMs();
    if (grant.expiresAtMs !== null && grant.expiresAtMs <= nowMs) throw tokenExpired();
    this.deps.usage.noteSession(claims.sessionId, nowMs);
    return grant.principal;
  }

  private authenticateApiKey(key: string): Principal {
    if (!API_KEY_PATTERN.test(key)) throw invalidApiKey();
    const keyHash = hashApiKey(key);
    const grant = this.deps.credentials.lookup(`key:${keyHash}`, () => this.loadApiKeyGrant(keyHash));
    if (!grant) throw invalidApiKey();
    const nowMs = this.deps.clock.nowMs();
    if (grant.expiresAtMs !== null && grant.expiresAtMs <= nowMs) throw apiKeyExpired();
    this.deps.usage.noteKey(grant.principal.apiKeyId as string, nowMs);
    return grant.principal;
  }

  private loadSessionGrant(sessionId: string): CredentialGrant | null {
    const found = this.deps.sessions.findWithUser(sessionId);
    if (!found) return null;
    // Role and username come from the user row, so a role change applies to the next request (any write drops the cache).
    return grantOf(
      { userId: found.user.id, username: found.user.username, role: found.user.role, sessionId: found.session.id, apiKeyId: null },
      found.session.expiresAt,
    );
  }

  private loadApiKeyGrant(keyHash: string): CredentialGrant | null {
    const found = this.deps.apiKeys.findByHashWithUser(keyHash);
    // The lookup is by hash, so its timing says nothing about the key; the compare is constant-time anyway.
    if (!found || !timingSafeEqual(Buffer.from(found.key.keyHash, 'hex'), Buffer.from(keyHash, 'hex'))) return null;
    return grantOf(
      {
        userId: found.user.id,
        username: found.user.username,
        role: lowerRole(found.key.role, found.user.role),
        sessionId: null,
        apiKeyId: found.key.id,
      },
      found.key.expiresAt,
    );
  }
}
