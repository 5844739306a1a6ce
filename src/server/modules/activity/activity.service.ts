import type { Clock } from '../../infra/clock.js';
import type { Principal } from '../auth/guards.js';
import type { ActivityEntry, ActivityRepository } from './activity.repository.js';

export type ActivityRecord = {
  /** Who acted; null for anonymous actions (failed logins, AUTH_ENABLED=false). */
  principal: Principal | null;
  /** Dotted verb, e.g. auth.login, auth.login_failed, user.create, container.stop, deploy.start. */
  action: string;
  target?: string | null;
  ip?: string | null;
  /** Never put secrets here. */
  details?: Record<string, unknown>;
  /** For failed logins: the username that was tried. */
  username?: string;
};

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
      details: entry.details ?? {},
    });
  }

  list(options: { limit: number; offset: number; action?: string; userId?: string }): { entries: ActivityEntry[]; total: number } {
    return this.repository.list(options);
  }
}
