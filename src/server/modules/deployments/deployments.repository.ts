// The only SQL of the deployments domain: deployments and their stored progress events.
import type { Deployment, DeploymentResult, DeploymentStatus, DeployStep, DeployModeType } from '../../../contracts/deployments.js';
import type { Db } from '../../infra/db.js';

export type NewDeployment = {
  id: string;
  appId: string;
  mode: DeployModeType;
  project: string;
  isRedeploy: boolean;
  userId: string | null;
  username: string | null;
  configKeys: string[];
  startedAt: string;
};

export type DeploymentChange = Partial<{
  status: DeploymentStatus;
  step: DeployStep | null;
  progress: number;
  error: string | null;
  result: DeploymentResult | null;
  finishedAt: string | null;
}>;

export type StoredEvent = { id: number; deploymentId: string; event: string; data: Record<string, unknown>; createdAt: string };

type DeploymentRow = {
  id: string;
  app_id: string;
  mode: DeployModeType;
  status: DeploymentStatus;
  step: DeployStep | null;
  progress: number;
  project: string;
  is_redeploy: number;
  user_id: string | null;
  username: string | null;
  config_keys: string;
  error: string | null;
  result: string | null;
  started_at: string;
  finished_at: string | null;
  updated_at: string;
};

type EventRow = { id: number; deployment_id: string; event: string; data: string; created_at: string };

const COLUMN_BY_FIELD: Record<keyof DeploymentChange, string> = {
  status: 'status',
  step: 'step',
  progress: 'progress',
  error: 'error',
  result: 'result',
  finishedAt: 'finished_at',
};

function toDeployment(row: DeploymentRow): Deployment {
  return {
    id: row.id,
    appId: row.app_id,
    mode: row.mode,
    status: row.status,
    step: row.step,
    progress: row.progress,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    result: row.result ? (JSON.parse(row.result) as DeploymentResult) : null,
    project: row.project,
    isRedeploy: row.is_redeploy === 1,
    requestedBy: row.username,
  };
}

function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    deploymentId: row.deployment_id,
    event: row.event,
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

export class DeploymentsRepository {
  private readonly insertEvent;
  private readonly selectEventsAfter;
  private readonly selectById;
  private readonly selectActive;

  constructor(private readonly db: Db) {
    this.insertEvent = db.prepare('INSERT INTO deployment_events (deployment_id, event, data, created_at) VALUES (?, ?, ?, ?)');
    this.selectEventsAfter = db.prepare('SELECT * FROM deployment_events WHERE deployment_id = ? AND id > ? ORDER BY id LIMIT ?');
    this.selectById = db.prepare('SELECT * FROM deployments WHERE id = ?');
    // GET /deployments/active is what dashboards poll: preparing it on every call was ~20% of that request's CPU.
    this.selectActive = db.prepare("SELECT * FROM deployments WHERE status IN ('queued', 'in-progress') ORDER BY started_at, id");
  }

  create(deployment: NewDeployment): Deployment {
    this.db
      .prepare(
        `INSERT INTO deployments (id, app_id, mode, status, step, progress, project, is_redeploy, user_id, username, config_keys, started_at, updated_at)
         VALUES (?, ?, ?, 'queued', NULL, 0, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        deployment.id,
        deployment.appId,
        deployment.mode,
        deployment.project,
        deployment.isRedeploy ? 1 : 0,
        deployment.userId,
        deployment.username,
        JSON.stringify(deployment.configKeys),
        deployment.startedAt,
        deployment.startedAt,
      );
    return this.get(deployment.id) as Deployment;
  }

  get(id: string): Deployment | null {
    const row = this.selectById.get(id) as DeploymentRow | undefined;
    return row ? toDeployment(row) : null;
  }

  update(id: string, change: DeploymentChange, updatedAt: string): void {
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [field, value] of Object.entries(change) as [keyof DeploymentChange, unknown][]) {
      if (value === undefined) continue;
      sets.push(`${COLUMN_BY_FIELD[field]} = ?`);
      values.push(field === 'result' && value !== null ? JSON.stringify(value) : (value as string | number | null));
    }
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE deployments SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`).run(...values, updatedAt, id);
  }

  listActive(): Deployment[] {
    const rows = this.selectActive.all() as DeploymentRow[];
    return rows.map(toDeployment);
  }

  list(options: { limit: number; offset: number; appId?: string; status?: DeploymentStatus }): {
    deployments: Deployment[];
    total: number;
  } {
    const where: string[] = [];
    const params: string[] = [];
    if (options.appId) {
      where.push('app_id = ?');
      params.push(options.appId);
    }
    if (options.status) {
      where.push('status = ?');
      params.push(options.status);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM deployments ${clause} ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?`)
      .all(...params, options.limit, options.offset) as DeploymentRow[];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM deployments ${clause}`).get(...params) as { n: number }).n;
    return { deployments: rows.map(toDeployment), total };
  }

  /** The newest deployment of an app that completed, if any: the one whose result describes what runs. */
  lastCompleted(appId: string): Deployment | null {
    const row = this.db
      .prepare("SELECT * FROM deployments WHERE app_id = ? AND status = 'completed' ORDER BY started_at DESC, rowid DESC LIMIT 1")
      .get(appId) as DeploymentRow | undefined;
    return row ? toDeployment(row) : null;
  }

  appendEvent(deploymentId: string, event: string, data: Record<string, unknown>, createdAt: string): StoredEvent {
    const info = this.insertEvent.run(deploymentId, event, JSON.stringify(data), createdAt);
    return { id: Number(info.lastInsertRowid), deploymentId, event, data, createdAt };
  }

  eventsAfter(deploymentId: string, afterId: number, limit: number): StoredEvent[] {
    return (this.selectEventsAfter.all(deploymentId, afterId, limit) as EventRow[]).map(toEvent);
  }

  countEvents(deploymentId: string, event: string): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM deployment_events WHERE deployment_id = ? AND event = ?').get(deploymentId, event) as {
        n: number;
      }
    ).n;
  }
}
