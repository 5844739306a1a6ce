import type { ActivityLogEntry } from '../../../contracts/auth.js';
import type { Clock } from '../../infra/clock.js';
import type { Principal } from '../../principal.js';
import type { ActivityEntry, ActivityRepository } from './activity.repository.js';

export type ActivityRecord = {
  /** Who acted; null for anonymous actions (failed logins, AUTH_ENABLED=false). */
  principal: Principal | null;
  /** Dotted verb, e.g. auth.login, auth.login_failed, user.create, container.stop, deploy.start. */
  action: string;
  target?: string | null;
  ip?: string | null;
  /** The client's User-Agent header, where the caller has the request's metadata. */
  userAgent?: string | null;
  /** Never put secrets here. */
  details?: Record<string, unknown>;
  /** For failed logins: the username that was tried. */
  username?: string;
};

/** What an action acts on, by the first part of its name (the original's `targetType`). */
const TARGET_TYPES: Record<string, string> = {
  auth: 'user',
  user: 'user',
  apikey: 'apiKey',
  deploy: 'app',
  app: 'app',
  container: 'container',
  mount: 'container',
  catalog: 'catalog',
};

// A header can be kilobytes long; the log keeps what identifies the client.
const USER_AGENT_MAX = 256;

/** Ids the recording services put in details, for targets whose `target` column holds a name. */
const TARGET_ID_DETAILS = ['userId', 'keyId', 'containerId'];

/**
 * An entry in the original product's shape. `target` holds a name (username, key label, app id,
 * container name); the id comes from details where the recorder put one, and auth.* actions act
 * on the signed-in user themselves.
 */
export function toActivityLogEntry(entry: ActivityEntry): ActivityLogEntry {
  const domain = entry.action.split('.')[0] ?? '';
  const idFromDetails = TARGET_ID_DETAILS.map((key) => entry.details[key]).find((value) => typeof value === 'string');
  const targetId = idFromDetails ?? (domain === 'auth' && entry.target !== null ? entry.userId : null) ?? entry.target;
  const hasTarget = targetId !== null || entry.target !== null;
  return {
    id: String(entry.id),
    userId: entry.userId,
    username: entry.username,
    timestamp: entry.at,
    action: entry.action,
    targetType: hasTarget ? (TARGET_TYPES[domain] ?? domain) : null,
    targetId,
    targetName: entry.target,
    details: entry.details,
    ipAddress: entry.ip,
    userAgent: entry.userAgent,
  };
}

/** The audit trail behind GET /auth/activity-log. */
export class ActivityService {
  constructor(
    private readonly repository: ActivityRepository,
    private readonly clock: Clock,
  ) {}

  record(entry: ActivityRecord): void {
    this.repository.add({
      at: this.clock.now().toISOString(),
      userId: entry.principal?.userId ?? null,
      username: entry.principal?.username ?? entry.username ?? null,
      action: entry.action,
      target: entry.target ?? null,
      ip: entry.ip ?? null,
      userAgent: entry.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
      details: entry.details ?? {},
    });
  }

  list(options: { limit: number; offset: number; action?: string; userId?: string }): { activities: ActivityLogEntry[]; total: number } {
    const { entries, total } = this.repository.list(options);
    return { activities: entries.map(toActivityLogEntry), total };
  }
}
