// Builds the auth module from its infrastructure; used by createServices (server and tests) and the CLI.
import type { Clock } from '../../infra/clock.js';
import { createOtherWritersProbe, type Db } from '../../infra/db.js';
import type { SecretFiles } from '../../infra/secret-files.js';
import type { ActivityService } from '../activity/index.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthService } from './auth.service.js';
import { AuthWrites, CredentialCache } from './credential-cache.js';
import { LoginThrottle, type ThrottleLimits } from './login-throttle.js';
import { PasswordHasher, type Argon2Cost } from './password-hasher.js';
import { resolveJwtSecret, SessionTokens } from './session-tokens.js';
import { SessionsRepository } from './sessions.repository.js';
import { SettingsRepository } from './settings.repository.js';
import { TokenAuthenticator } from './token-authenticator.js';
import { UsageTracker } from './usage-tracker.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

export type AuthModuleDeps = {
  db: Db;
  clock: Clock;
  files: SecretFiles;
  activity: ActivityService;
  config: {
    dataDir: string;
    jwtSecret: string | undefined;
    jwtExpiresInSeconds: number;
    passwordMinLength: number;
    adminPassword: string | undefined;
    adminPasswordFile: string | undefined;
  };
  isKnownApp?: (appId: string) => boolean;
  /** Tests only: a cheaper argon2 cost. */
  argon2Cost?: Argon2Cost;
  throttleLimits?: ThrottleLimits;
};

export type AuthModule = {
  auth: AuthService;
  users: UsersService;
  apiKeys: ApiKeysService;
  authenticator: TokenAuthenticator;
  usage: UsageTracker;
  /** Calls back after this process wrote users, sessions or keys (a logout, a revoke, a deleted user…). */
  onCredentialsChanged(listener: () => void): void;
};

export function createAuthModule(deps: AuthModuleDeps): AuthModule {
  const { db, clock, activity, config } = deps;
  const authWrites = new AuthWrites();
  const users = new UsersRepository(db, authWrites);
  const sessions = new SessionsRepository(db, authWrites);
  const apiKeys = new ApiKeysRepository(db, authWrites);
  const settings = new SettingsRepository(db);
  const hasher = new PasswordHasher(deps.argon2Cost);
  const tokens = new SessionTokens(resolveJwtSecret(config.jwtSecret, settings, clock), clock);
  const usage = new UsageTracker(sessions, apiKeys);
  const userService = new UsersService({
    users,
    sessions,
    settings,
    hasher,
    activity,
    clock,
    files: deps.files,
    passwordMinLength: config.passwordMinLength,
    dataDir: config.dataDir,
    adminPassword: config.adminPassword,
    adminPasswordFile: config.adminPasswordFile,
    isKnownApp: deps.isKnownApp ?? (() => true),
  });
  const auth = new AuthService({
    users,
    sessions,
    userService,
    hasher,
    tokens,
    throttle: new LoginThrottle(clock, deps.throttleLimits),
    usage,
    activity,
    clock,
    passwordMinLength: config.passwordMinLength,
    sessionLifetimeSeconds: config.jwtExpiresInSeconds,
  });
  return {
    auth,
    users: userService,
    apiKeys: new ApiKeysService({ apiKeys, usage, activity, clock }),
    authenticator: new TokenAuthenticator({
      tokens,
      sessions,
      apiKeys,
      usage,
      clock,
      credentials: new CredentialCache(authWrites, createOtherWritersProbe(db)),
    }),
    usage,
    onCredentialsChanged: (listener) => authWrites.onWrite(listener),
  };
}
