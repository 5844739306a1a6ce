// Users as admins manage them: create, list, change role or email, delete, set a password;
// plus each user's starred apps and the first-start admin.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { RegisterRequest, UpdateUserRequest, User, UserListEntry } from '../../../contracts/auth.js';
import type { Role } from '../../../contracts/common.js';
import { ConfigError } from '../../config.js';
import { AppError, notFound } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { SecretFiles } from '../../infra/secret-files.js';
import type { ActivityService } from '../activity/index.js';
import type { Principal } from '../../principal.js';
import { DISABLED_PASSWORD_HASH, type PasswordHasher } from './password-hasher.js';
import { assertPasswordPolicy } from './password-policy.js';
import type { SessionsRepository } from './sessions.repository.js';
import type { SettingsRepository } from './settings.repository.js';
import type { ImportedUser } from './users-import.js';
import type { UserRecord, UsersRepository } from './users.repository.js';

export const INITIAL_ADMIN_USERNAME = 'admin';
export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';
const INITIAL_ADMIN_SETTING = 'initial_admin_id';

export type RequestMeta = { ip: string | null; userAgent: string | null };

/** Passwords the original product shipped or suggested; an imported user with one of them cannot log in until reset. */
export const KNOWN_DEFAULT_PASSWORDS = ['admin', 'password', 'homelabarr', 'changeme', '123456', 'admin123'];

export type ImportReport = {
  imported: { username: string; id: string; role: Role }[];
  skipped: { username: string; reason: string }[];
  /** Imported with login disabled (the hash was of a known default password). */
  disabled: { username: string; id: string }[];
};

export type InitialAdminNotice = { username: string; password: string; file: string };

export function newUserId(): string {
  return `user_${randomBytes(8).toString('hex')}`;
}

export function toUser(record: UserRecord): User {
  return {
    id: record.id,
    username: record.username,
    email: record.email,
    role: record.role,
    createdAt: record.createdAt,
    lastLogin: record.lastLogin,
  };
}

const usernameTaken = (username: string): AppError =>
  new AppError('CONFLICT', 'Username taken', `A user named ${username} already exists; choose another username`);

const lastAdmin = (): AppError =>
  new AppError('CONFLICT', 'Last admin', 'This is the only admin; make another user admin first, so someone can still manage the server');

export type UsersServiceDeps = {
  users: UsersRepository;
  sessions: SessionsRepository;
  settings: SettingsRepository;
  hasher: PasswordHasher;
  activity: ActivityService;
  clock: Clock;
  files: SecretFiles;
  passwordMinLength: number;
  dataDir: string;
  adminPassword: string | undefined;
  adminPasswordFile: string | undefined;
  /** Whether an app id names a catalog app (stars of unknown apps are refused). */
  isKnownApp: (appId: string) => boolean;
};

export class UsersService {
  private initialAdminNotice: InitialAdminNotice | null = null;

  constructor(private readonly deps: UsersServiceDeps) {}

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  get initialAdminPasswordFile(): string {
    return path.join(this.deps.dataDir, INITIAL_ADMIN_PASSWORD_FILE);
  }

  /** Creates a user; throws 409 for a taken username. Used by POST /auth/register, the CLI and tests. */
  async createUser(input: { username: string; password: string; email?: string | null; role: Role }): Promise<UserRecord> {
    assertPasswordPolicy(input.password, this.deps.passwordMinLength, 'body.password');
    if (this.deps.users.findByUsername(input.username)) throw usernameTaken(input.username);
    const passwordHash = await this.deps.hasher.hash(input.password);
    const now = this.now();
    const record: UserRecord = {
      id: newUserId(),
      username: input.username,
      email: input.email ?? null,
      passwordHash,
      role: input.role,
      createdAt: now,
      updatedAt: now,
      lastLogin: null,
    };
    // Checked again after the await: another request may have taken the name meanwhile.
    this.deps.users.transaction(() => {
      if (this.deps.users.findByUsername(input.username)) throw usernameTaken(input.username);
      this.deps.users.insert(record);
    });
    return record;
  }

  async register(principal: Principal | null, body: RegisterRequest, meta: RequestMeta): Promise<UserRecord> {
    const record = await this.createUser(body);
    this.deps.activity.record({
      principal,
      action: 'user.create',
      target: record.username,
      ...meta,
      details: { userId: record.id, role: record.role },
    });
    return record;
  }

  list(): UserListEntry[] {
    return this.deps.users.list().map((record) => ({ ...toUser(record), updatedAt: record.updatedAt }));
  }

  get(id: string): UserRecord {
    const user = this.deps.users.findById(id);
    if (!user) throw notFound('User');
    return user;
  }

  findByUsername(username: string): UserRecord | null {
    return this.deps.users.findByUsername(username);
  }

  update(principal: Principal | null, id: string, changes: UpdateUserRequest, meta: RequestMeta): User {
    const updated = this.deps.users.transaction(() => {
      const user = this.get(id);
      if (changes.role !== undefined && user.role === 'admin' && changes.role !== 'admin' && this.deps.users.countAdmins() <= 1)
        throw lastAdmin();
      this.deps.users.update(id, changes, this.now());
      return { before: user, after: this.get(id) };
    });
    const details: Record<string, unknown> = { userId: id };
    if (changes.role !== undefined) details.role = { from: updated.before.role, to: updated.after.role };
    if (changes.email !== undefined) details.emailChanged = true;
    this.deps.activity.record({ principal, action: 'user.update', target: updated.after.username, ...meta, details });
    return toUser(updated.after);
  }

  delete(principal: Principal, id: string, meta: RequestMeta): void {
    const deleted = this.deps.users.transaction(() => {
      const user = this.get(id);
      if (user.id === principal.userId) {
        throw new AppError('CONFLICT', 'Cannot delete yourself', 'Another admin has to delete this account');
      }
      if (user.role === 'admin' && this.deps.users.countAdmins() <= 1) throw lastAdmin();
      // Sessions, API keys and stars go with the user (ON DELETE CASCADE), so its tokens fail at once.
      this.deps.users.delete(id);
      return user;
    });
    this.deps.activity.record({ principal, action: 'user.delete', target: deleted.username, ...meta, details: { userId: id } });
  }

  /** An admin sets someone's password: every session of that user ends. */
  async setPassword(principal: Principal | null, id: string, password: string, meta: RequestMeta): Promise<void> {
    assertPasswordPolicy(password, this.deps.passwordMinLength, 'body.password');
    const user = this.get(id);
    const passwordHash = await this.deps.hasher.hash(password);
    this.deps.users.transaction(() => {
      this.get(id);
      this.deps.users.setPasswordHash(id, passwordHash, this.now());
      this.deps.sessions.deleteForUser(id);
    });
    this.forgetInitialAdminPassword(id);
    this.deps.activity.record({ principal, action: 'user.password_reset', target: user.username, ...meta, details: { userId: id } });
  }

  /** Once the first admin's password has been changed, the generated one on disk is useless and goes. */
  forgetInitialAdminPassword(userId: string): void {
    if (this.deps.settings.get(INITIAL_ADMIN_SETTING) !== userId) return;
    this.deps.files.remove(this.initialAdminPasswordFile);
  }

  stars(userId: string): string[] {
    return this.deps.users.listStars(userId);
  }

  star(userId: string, appId: string): string[] {
    if (!this.deps.isKnownApp(appId)) throw notFound('App', `No app with id ${appId} is in the catalog`);
    this.deps.users.addStar(userId, appId, this.now());
    return this.stars(userId);
  }

  unstar(userId: string, appId: string): string[] {
    this.deps.users.removeStar(userId, appId);
    return this.stars(userId);
  }

  /**
   * First start (no admin at all): creates `admin` with ADMIN_PASSWORD, ADMIN_PASSWORD_FILE or a
   * generated password, which is written to DATA_DIR/initial-admin-password (0600) and handed
   * once to main.ts to print. Synchronous so it is done before the server listens.
   */
  ensureInitialAdmin(): void {
    if (this.deps.users.countAdmins() > 0) return;
    let password: string;
    let source: 'ADMIN_PASSWORD' | 'ADMIN_PASSWORD_FILE' | 'generated';
    if (this.deps.adminPassword !== undefined) {
      password = this.deps.adminPassword;
      source = 'ADMIN_PASSWORD';
    } else if (this.deps.adminPasswordFile !== undefined) {
      try {
        password = this.deps.files.read(this.deps.adminPasswordFile);
      } catch (error) {
        throw new ConfigError([
          `ADMIN_PASSWORD_FILE=${this.deps.adminPasswordFile}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        ]);
      }
      source = 'ADMIN_PASSWORD_FILE';
    } else {
      password = randomBytes(18).toString('base64url');
      source = 'generated';
    }
    if ([...password].length < this.deps.passwordMinLength) {
      throw new ConfigError([
        `${source}: the admin password must be at least ${this.deps.passwordMinLength} characters (PASSWORD_MIN_LENGTH)`,
      ]);
    }
    if (this.deps.users.findByUsername(INITIAL_ADMIN_USERNAME)) {
      throw new ConfigError([
        `No admin exists and the username ${INITIAL_ADMIN_USERNAME} belongs to a non-admin: create an admin with "homelabarr create-user <name> --role admin"`,
      ]);
    }
    const now = this.now();
    const record: UserRecord = {
      id: newUserId(),
      username: INITIAL_ADMIN_USERNAME,
      email: null,
      passwordHash: this.deps.hasher.hashSync(password),
      role: 'admin',
      createdAt: now,
      updatedAt: now,
      lastLogin: null,
    };
    this.deps.users.insert(record);
    this.deps.settings.set(INITIAL_ADMIN_SETTING, record.id, now);
    if (source === 'generated') {
      this.deps.files.writePrivate(this.initialAdminPasswordFile, `${password}\n`);
      this.initialAdminNotice = { username: INITIAL_ADMIN_USERNAME, password, file: this.initialAdminPasswordFile };
    }
    this.deps.activity.record({
      principal: null,
      action: 'user.create',
      target: INITIAL_ADMIN_USERNAME,
      details: { userId: record.id, role: 'admin', initial: true, source },
    });
  }

  /**
   * Imports users with their bcrypt hashes as they are (they become argon2id at each user's next
   * login). Existing usernames are skipped; known default passwords are not carried over.
   */
  async importUsers(imported: ImportedUser[]): Promise<ImportReport> {
    const report: ImportReport = { imported: [], skipped: [], disabled: [] };
    for (const user of imported) {
      if (this.deps.users.findByUsername(user.username)) {
        report.skipped.push({ username: user.username, reason: 'a user with this username already exists' });
        continue;
      }
      const candidates = [...KNOWN_DEFAULT_PASSWORDS, user.username];
      let hasDefaultPassword = false;
      for (const candidate of candidates) {
        if ((await this.deps.hasher.verify(user.passwordHash, candidate)).isValid) {
          hasDefaultPassword = true;
          break;
        }
      }
      const now = this.now();
      const id = user.id !== null && !this.deps.users.findById(user.id) ? user.id : newUserId();
      const record: UserRecord = {
        id,
        username: user.username,
        email: user.email,
        passwordHash: hasDefaultPassword ? DISABLED_PASSWORD_HASH : user.passwordHash,
        role: user.role,
        createdAt: user.createdAt ?? now,
        updatedAt: now,
        lastLogin: user.lastLogin,
      };
      this.deps.users.insert(record);
      report.imported.push({ username: user.username, id, role: user.role });
      if (hasDefaultPassword) report.disabled.push({ username: user.username, id });
      this.deps.activity.record({
        principal: null,
        action: 'user.import',
        target: user.username,
        details: { userId: id, role: user.role, loginDisabled: hasDefaultPassword },
      });
    }
    return report;
  }

  /** The generated first-start password, handed out exactly once (main.ts prints it). */
  takeInitialAdminNotice(): InitialAdminNotice | null {
    const notice = this.initialAdminNotice;
    this.initialAdminNotice = null;
    return notice;
  }
}
