// API keys: hlr_ + 64 hex, shown once, stored as SHA-256; a key acts as its owner with at most the owner's role.
import { randomBytes } from 'node:crypto';
import type { ApiKey, CreateApiKeyRequest } from '../../../contracts/auth.js';
import { AppError, notFound } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { ActivityService } from '../activity/index.js';
import type { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository.js';
import { hasRole, type Principal } from '../../principal.js';
import { hashApiKey } from './token-authenticator.js';
import type { UsageTracker } from './usage-tracker.js';
import type { RequestMeta } from './users.service.js';

const DAY_MS = 86_400_000;
const KEY_PREFIX_LENGTH = 12;

export class ApiKeysService {
  constructor(private readonly deps: { apiKeys: ApiKeysRepository; usage: UsageTracker; activity: ActivityService; clock: Clock }) {}

  private toApiKey(record: ApiKeyRecord): ApiKey {
    return {
      id: record.id,
      label: record.label,
      name: record.label,
      prefix: record.keyPrefix,
      // The original showed the key's last characters too; only its hash is stored here, so the preview ends at the prefix.
      keyPreview: `${record.keyPrefix}...`,
      role: record.role,
      userId: record.userId,
      username: record.username,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      lastUsed: this.deps.usage.keyLastUsed(record.id) ?? record.lastUsedAt,
    };
  }

  create(principal: Principal, body: CreateApiKeyRequest, meta: RequestMeta): { key: string; apiKey: ApiKey } {
    const role = body.role ?? principal.role;
    if (!hasRole(principal, role)) {
      throw new AppError('FORBIDDEN', 'Not allowed', `A key cannot have more than your own role (${principal.role})`);
    }
    const now = this.deps.clock.now();
    let expiresAt: string | null = null;
    if (body.expiresInDays !== undefined) expiresAt = new Date(now.getTime() + body.expiresInDays * DAY_MS).toISOString();
    if (body.expiresAt !== undefined) {
      const at = Date.parse(body.expiresAt);
      if (at <= now.getTime()) {
        throw new AppError('VALIDATION_FAILED', 'Invalid request', 'body.expiresAt: must be in the future', {
          fields: [{ path: 'body.expiresAt', message: 'must be in the future' }],
        });
      }
      expiresAt = new Date(at).toISOString();
    }
    const key = `hlr_${randomBytes(32).toString('hex')}`;
    const record: ApiKeyRecord = {
      id: `key_${randomBytes(8).toString('hex')}`,
      userId: principal.userId,
      username: principal.username,
      label: (body.label ?? body.name ?? '').trim(),
      keyHash: hashApiKey(key),
      keyPrefix: key.slice(0, KEY_PREFIX_LENGTH),
      role,
      createdAt: now.toISOString(),
      expiresAt,
      lastUsedAt: null,
    };
    this.deps.apiKeys.insert(record);
    this.deps.activity.record({
      principal,
      action: 'apikey.create',
      target: record.label,
      ...meta,
      details: { keyId: record.id, role, expiresAt },
    });
    return { key, apiKey: this.toApiKey(record) };
  }

  /** The caller's keys; with `all`, an admin sees everyone's. */
  list(principal: Principal, all: boolean): ApiKey[] {
    if (all && !hasRole(principal, 'admin')) throw new AppError('FORBIDDEN', 'Not allowed', "Only admins can list other users' keys");
    return this.deps.apiKeys.list(all ? null : principal.userId).map((record) => this.toApiKey(record));
  }

  /** Owners revoke their own keys, admins anyone's; the key fails on the next request. */
  revoke(principal: Principal, keyId: string, meta: RequestMeta): void {
    const record = this.deps.apiKeys.findById(keyId);
    if (!record || (record.userId !== principal.userId && !hasRole(principal, 'admin')))
      throw notFound('API key', 'You have no API key with that id');
    this.deps.apiKeys.delete(keyId);
    this.deps.activity.record({
      principal,
      action: 'apikey.revoke',
      target: record.label,
      ...meta,
      details: { keyId, owner: record.username },
    });
  }
}
