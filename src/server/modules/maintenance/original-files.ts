// The original product's state files (server/config/*.json of its checkout), read as data: which
// API keys and starred apps would be carried over, and why anything would not. Pure.
import { API_KEY_ID_PATTERN, API_KEY_PATTERN, USER_ID_PATTERN } from '../../../contracts/auth.js';

/** api-keys.json: [{id, key, userId, label, createdAt, lastUsed, revoked}] with the key in clear. */
export type OriginalApiKey = {
  id: string | null;
  key: string;
  userId: string;
  label: string;
  createdAt: string | null;
  lastUsed: string | null;
};

/** stars.json: {"<userId>": ["<appId>", …]}. */
export type OriginalStars = { userId: string; appIds: string[] }[];

export type FileProblem = { entry: string; reason: string };

function asIsoTime(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function parseApiKeysFile(data: unknown): { keys: OriginalApiKey[]; revoked: number; problems: FileProblem[] } {
  if (!Array.isArray(data)) return { keys: [], revoked: 0, problems: [{ entry: 'api-keys.json', reason: 'must hold an array of keys' }] };
  const keys: OriginalApiKey[] = [];
  const problems: FileProblem[] = [];
  let revoked = 0;
  data.forEach((raw: unknown, index) => {
    const entry = (raw ?? {}) as Record<string, unknown>;
    const name = `key ${index}${typeof entry.label === 'string' ? ` (${entry.label})` : ''}`;
    if (entry.revoked === true) {
      revoked += 1;
      return;
    }
    if (typeof entry.key !== 'string' || !API_KEY_PATTERN.test(entry.key)) {
      problems.push({ entry: name, reason: 'the key is not hlr_ followed by 64 hex digits' });
      return;
    }
    if (typeof entry.userId !== 'string' || !USER_ID_PATTERN.test(entry.userId)) {
      problems.push({ entry: name, reason: 'it names no valid user id' });
      return;
    }
    keys.push({
      id: typeof entry.id === 'string' && API_KEY_ID_PATTERN.test(entry.id) ? entry.id : null,
      key: entry.key,
      userId: entry.userId,
      label: typeof entry.label === 'string' && entry.label.trim() ? entry.label.trim().slice(0, 100) : 'Imported key',
      createdAt: asIsoTime(entry.createdAt),
      lastUsed: asIsoTime(entry.lastUsed),
    });
  });
  return { keys, revoked, problems };
}

export function parseStarsFile(data: unknown): { stars: OriginalStars; problems: FileProblem[] } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { stars: [], problems: [{ entry: 'stars.json', reason: 'must hold an object of user ids to app id lists' }] };
  }
  const stars: OriginalStars = [];
  const problems: FileProblem[] = [];
  for (const [userId, list] of Object.entries(data as Record<string, unknown>)) {
    if (!USER_ID_PATTERN.test(userId) || !Array.isArray(list)) {
      problems.push({ entry: `stars of ${userId}`, reason: 'expected a user id with a list of app ids' });
      continue;
    }
    stars.push({
      userId,
      appIds: list.filter((appId): appId is string => typeof appId === 'string' && appId.length > 0 && appId.length <= 200),
    });
  }
  return { stars, problems };
}

/**
 * The catalog id an original app id means: the same id, or (for the original's short template
 * names such as "plex") the one catalog app of that name. null when there is none or several.
 */
export function resolveOriginalAppId(appId: string, apps: readonly { id: string; name: string }[]): string | null {
  if (apps.some((app) => app.id === appId)) return appId;
  const lower = appId.toLowerCase();
  const byName = apps.filter((app) => app.name.toLowerCase() === lower || app.id.toLowerCase().endsWith(`-${lower}`));
  return byName.length === 1 ? (byName[0] as { id: string }).id : null;
}
