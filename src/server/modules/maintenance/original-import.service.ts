// Carries the original product's users, API keys and starred apps into this server's database.
// Users keep their bcrypt hashes (auth's import), API keys keep working as they are (only their
// hash is stored), stars follow their users. Running it twice imports nothing twice.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../infra/clock.js';
import type { ActivityService } from '../activity/index.js';
import type { ApiKeysRepository } from '../auth/index.js';
import { hashApiKey } from '../auth/index.js';
import { parseUsersFile, type ImportedUser, type ImportProblem } from '../auth/index.js';
import type { ImportReport, UsersService } from '../auth/index.js';
import {
  parseApiKeysFile,
  parseStarsFile,
  resolveOriginalAppId,
  type FileProblem,
  type OriginalApiKey,
  type OriginalStars,
} from './original-files.js';

// As ApiKeysService shows keys: enough of the key to tell keys apart, never enough to use one.
const KEY_PREFIX_LENGTH = 12;

/** What was found in the original checkout. */
export type OriginalCheckout = {
  configDir: string;
  /** The checkout root whose apps/ holds the original templates (CLI_BRIDGE_HOST_PATH), when there is one. */
  templatesRoot: string | null;
  users: ImportedUser[];
  apiKeys: OriginalApiKey[];
  revokedKeys: number;
  stars: OriginalStars;
  problems: FileProblem[];
  /** Files that were not there (each is optional but users.json). */
  missing: string[];
};

export type OriginalImportReport = {
  users: ImportReport;
  apiKeys: { imported: { label: string; owner: string }[]; skipped: FileProblem[] };
  stars: { imported: number; skipped: FileProblem[] };
};

export class OriginalCheckoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OriginalCheckoutError';
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new OriginalCheckoutError(`Cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Reads `dir`: the original product's checkout, or its server/config folder. */
export function readOriginalCheckout(dir: string): OriginalCheckout {
  const root = path.resolve(dir);
  const nested = path.join(root, 'server', 'config');
  const configDir = existsSync(path.join(nested, 'users.json')) ? nested : root;
  const usersFile = path.join(configDir, 'users.json');
  if (!existsSync(usersFile))
    throw new OriginalCheckoutError(`No users.json in ${root} or ${nested}: point at the original checkout or its server/config folder`);
  const checkoutRoot = configDir === nested ? root : path.resolve(configDir, '..', '..');
  const templatesRoot = existsSync(path.join(checkoutRoot, 'apps')) ? checkoutRoot : null;

  const problems: FileProblem[] = [];
  const missing: string[] = [];
  const parsedUsers = parseUsersFile(readJson(usersFile));
  problems.push(
    ...parsedUsers.problems.map((problem: ImportProblem) => ({
      entry: problem.index >= 0 ? `user ${problem.index}${problem.username ? ` (${problem.username})` : ''}` : 'users.json',
      reason: problem.reason,
    })),
  );

  let apiKeys: OriginalApiKey[] = [];
  let revokedKeys = 0;
  const keysFile = path.join(configDir, 'api-keys.json');
  if (existsSync(keysFile)) {
    const parsed = parseApiKeysFile(readJson(keysFile));
    apiKeys = parsed.keys;
    revokedKeys = parsed.revoked;
    problems.push(...parsed.problems);
  } else missing.push('api-keys.json');

  let stars: OriginalStars = [];
  const starsFile = path.join(configDir, 'stars.json');
  if (existsSync(starsFile)) {
    const parsed = parseStarsFile(readJson(starsFile));
    stars = parsed.stars;
    problems.push(...parsed.problems);
  } else missing.push('stars.json');

  return { configDir, templatesRoot, users: parsedUsers.users, apiKeys, revokedKeys, stars, problems, missing };
}

export type OriginalImportDeps = {
  users: UsersService;
  apiKeys: ApiKeysRepository;
  /** The catalog's apps, to map the original's app ids onto. */
  catalogApps: () => readonly { id: string; name: string }[];
  activity: ActivityService;
  clock: Clock;
};

export class OriginalImportService {
  constructor(private readonly deps: OriginalImportDeps) {}

  async importCheckout(checkout: OriginalCheckout): Promise<OriginalImportReport> {
    const users = await this.deps.users.importUsers(checkout.users);
    // The original's user ids → this server's users, by username (an existing user of the same name is the same person).
    const owners = new Map<string, { id: string; username: string; role: ImportedUser['role'] }>();
    for (const user of checkout.users) {
      const record = this.deps.users.findByUsername(user.username);
      if (user.id !== null && record) owners.set(user.id, { id: record.id, username: record.username, role: record.role });
    }
    return { users, apiKeys: this.importKeys(checkout.apiKeys, owners), stars: this.importStars(checkout.stars, owners) };
  }

  private importKeys(
    keys: OriginalApiKey[],
    owners: Map<string, { id: string; username: string; role: ImportedUser['role'] }>,
  ): OriginalImportReport['apiKeys'] {
    const report: OriginalImportReport['apiKeys'] = { imported: [], skipped: [] };
    for (const key of keys) {
      const owner = owners.get(key.userId);
      const entry = `key ${key.label}`;
      if (!owner) {
        report.skipped.push({ entry, reason: `its user ${key.userId} was not imported` });
        continue;
      }
      const keyHash = hashApiKey(key.key);
      if (this.deps.apiKeys.findByHashWithUser(keyHash)) {
        report.skipped.push({ entry, reason: 'already imported' });
        continue;
      }
      const id = key.id !== null && !this.deps.apiKeys.findById(key.id) ? key.id : `key_${keyHash.slice(0, 16)}`;
      this.deps.apiKeys.insert({
        id,
        userId: owner.id,
        label: key.label,
        keyHash,
        keyPrefix: key.key.slice(0, KEY_PREFIX_LENGTH),
        role: owner.role,
        createdAt: key.createdAt ?? this.deps.clock.now().toISOString(),
        expiresAt: null,
        lastUsedAt: key.lastUsed,
      });
      this.deps.activity.record({
        principal: null,
        action: 'apikey.import',
        target: key.label,
        details: { keyId: id, owner: owner.username },
      });
      report.imported.push({ label: key.label, owner: owner.username });
    }
    return report;
  }

  private importStars(stars: OriginalStars, owners: Map<string, { id: string; username: string }>): OriginalImportReport['stars'] {
    const report: OriginalImportReport['stars'] = { imported: 0, skipped: [] };
    const apps = this.deps.catalogApps();
    for (const { userId, appIds } of stars) {
      const owner = owners.get(userId);
      if (!owner) {
        report.skipped.push({ entry: `stars of ${userId}`, reason: 'the user was not imported' });
        continue;
      }
      const existing = new Set(this.deps.users.stars(owner.id));
      for (const appId of appIds) {
        const resolved = resolveOriginalAppId(appId, apps);
        if (!resolved) {
          report.skipped.push({ entry: `${owner.username}'s star ${appId}`, reason: 'no app of the catalog matches it' });
          continue;
        }
        if (existing.has(resolved)) continue;
        this.deps.users.star(owner.id, resolved);
        existing.add(resolved);
        report.imported += 1;
      }
    }
    return report;
  }
}
