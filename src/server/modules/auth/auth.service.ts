// Signing in and out: login (throttled, constant-time for unknown users), logout, the caller's
// profile, password change and the caller's own sessions.
import { randomBytes } from 'node:crypto';
import type { ChangePasswordRequest, LoginRequest, LoginResponse, Session, User } from '../../../contracts/auth.js';
import { USERNAME_PATTERN } from '../../../contracts/auth.js';
import { AppError, notFound } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { ActivityService } from '../activity/index.js';
import type { Principal } from '../../principal.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password-hasher.js';
import { assertPasswordPolicy } from './password-policy.js';
import type { SessionTokens } from './session-tokens.js';
import type { SessionsRepository } from './sessions.repository.js';
import type { UsageTracker } from './usage-tracker.js';
import type { UserRecord, UsersRepository } from './users.repository.js';
import { toUser, type RequestMeta, type UsersService } from './users.service.js';

const USER_AGENT_MAX = 256;

export function newSessionId(): string {
  return `ses_${randomBytes(16).toString('hex')}`;
}

const invalidCredentials = (): AppError =>
  new AppError('UNAUTHENTICATED', 'Invalid username or password', 'Check the username and password and try again');

const tooManyAttempts = (retryAfterSeconds: number): AppError =>
  new AppError('RATE_LIMITED', 'Too many failed logins', `Wait ${retryAfterSeconds} seconds before trying again`, { retryAfterSeconds });

export type AuthServiceDeps = {
  users: UsersRepository;
  sessions: SessionsRepository;
  userService: UsersService;
  hasher: PasswordHasher;
  tokens: SessionTokens;
  throttle: LoginThrottle;
  usage: UsageTracker;
  activity: ActivityService;
  clock: Clock;
  passwordMinLength: number;
  sessionLifetimeSeconds: number;
};

export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  /** Verifies a password; unknown users cost the same time as a wrong password. */
  private async checkPassword(user: UserRecord | null, password: string): Promise<boolean> {
    if (!user) {
      await this.deps.hasher.burnVerifyTime(password);
      return false;
    }
    const result = await this.deps.hasher.verify(user.passwordHash, password);
    if (result.isValid && result.needsRehash) {
      // Imported bcrypt hashes (and argon2 hashes of an older cost) become current argon2id now that the password is known.
      this.deps.users.replacePasswordHash(user.id, user.passwordHash, await this.deps.hasher.hash(password));
    }
    return result.isValid;
  }

  async login(body: LoginRequest, meta: RequestMeta): Promise<LoginResponse> {
    const address = meta.ip ?? 'unknown';
    const retryAfter = this.deps.throttle.retryAfterSeconds(address, body.username);
    if (retryAfter > 0) throw tooManyAttempts(retryAfter);
    const user = USERNAME_PATTERN.test(body.username) ? this.deps.users.findByUsername(body.username) : null;
    if (!(await this.checkPassword(user, body.password))) {
      this.deps.throttle.recordFailure(address, body.username);
      this.deps.activity.record({
        principal: null,
        action: 'auth.login_failed',
        username: body.username.slice(0, 64),
        ...meta,
        details: { reason: user ? 'wrong_password' : 'unknown_user' },
      });
      throw invalidCredentials();
    }
    const account = user as UserRecord;
    this.deps.throttle.recordSuccess(body.username);
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const expiresAtMs = now.getTime() + this.deps.sessionLifetimeSeconds * 1000;
    const sessionId = newSessionId();
    this.deps.users.transaction(() => {
      this.deps.sessions.deleteExpired(nowIso);
      this.deps.sessions.insert({
        id: sessionId,
        userId: account.id,
        createdAt: nowIso,
        lastSeenAt: nowIso,
        expiresAt: new Date(expiresAtMs).toISOString(),
        userAgent: meta.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
        ip: meta.ip,
      });
      this.deps.users.setLastLogin(account.id, nowIso);
    });
    const token = await this.deps.tokens.sign({ sessionId, userId: account.id, expiresAtMs });
    const principal: Principal = { userId: account.id, username: account.username, role: account.role, sessionId, apiKeyId: null };
    this.deps.activity.record({ principal, action: 'auth.login', target: account.username, ...meta, details: { sessionId } });
    return {
      success: true,
      token,
      expiresAt: new Date(expiresAtMs).toISOString(),
      user: { id: account.id, username: account.username, email: account.email, role: account.role, lastLogin: nowIso },
    };
  }

  logout(principal: Principal, meta: RequestMeta): void {
    if (principal.sessionId === null) {
      throw new AppError('BAD_REQUEST', 'Not a session', 'This request used an API key; revoke keys with DELETE /auth/api-keys/:keyId');
    }
    this.deps.sessions.delete(principal.sessionId);
    this.deps.activity.record({
      principal,
      action: 'auth.logout',
      target: principal.username,
      ...meta,
      details: { sessionId: principal.sessionId },
    });
  }

  me(principal: Principal): User {
    return toUser(this.deps.userService.get(principal.userId));
  }

  /** The caller's own password; every other session of the caller ends (this one stays). */
  async changePassword(principal: Principal, body: ChangePasswordRequest, meta: RequestMeta): Promise<void> {
    const address = meta.ip ?? 'unknown';
    // A stolen token must not become an unlimited password oracle, so wrong current passwords count as failed logins.
    const retryAfter = this.deps.throttle.retryAfterSeconds(address, principal.username);
    if (retryAfter > 0) throw tooManyAttempts(retryAfter);
    const user = this.deps.userService.get(principal.userId);
    if (!(await this.checkPassword(user, body.currentPassword))) {
      this.deps.throttle.recordFailure(address, principal.username);
      this.deps.activity.record({ principal, action: 'auth.password_change_failed', target: principal.username, ...meta });
      throw new AppError('VALIDATION_FAILED', 'Current password is incorrect', 'body.currentPassword: is incorrect', {
        fields: [{ path: 'body.currentPassword', message: 'is incorrect' }],
      });
    }
    assertPasswordPolicy(body.newPassword, this.deps.passwordMinLength, 'body.newPassword');
    const passwordHash = await this.deps.hasher.hash(body.newPassword);
    const ended = this.deps.users.transaction(() => {
      this.deps.users.setPasswordHash(user.id, passwordHash, this.deps.clock.now().toISOString());
      return this.deps.sessions.deleteForUser(user.id, principal.sessionId);
    });
    this.deps.userService.forgetInitialAdminPassword(user.id);
    this.deps.activity.record({
      principal,
      action: 'auth.password_change',
      target: principal.username,
      ...meta,
      details: { endedSessions: ended },
    });
  }

  sessions(principal: Principal): Session[] {
    return this.deps.sessions.listLive(principal.userId, this.deps.clock.now().toISOString()).map((session) => ({
      id: session.id,
      createdAt: session.createdAt,
      lastSeenAt: this.deps.usage.sessionLastSeen(session.id) ?? session.lastSeenAt,
      expiresAt: session.expiresAt,
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === principal.sessionId,
    }));
  }

  /** Only the caller's own sessions; anyone else's is a 404, so ids cannot be probed. */
  revokeSession(principal: Principal, sessionId: string, meta: RequestMeta): void {
    const found = this.deps.sessions.findWithUser(sessionId);
    if (!found || found.session.userId !== principal.userId) throw notFound('Session', 'You have no session with that id');
    this.deps.sessions.delete(sessionId);
    this.deps.activity.record({
      principal,
      action: 'auth.session_revoke',
      target: principal.username,
      ...meta,
      details: { sessionId },
    });
  }
}
