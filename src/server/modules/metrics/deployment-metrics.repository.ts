// Read-only aggregates over the deployments table for /metrics. Computed from the rows at scrape
// time, so the figures survive restarts and match GET /deployments exactly.
import type { Db } from '../../infra/db.js';

export type DeploymentStatusCount = { status: string; mode: string; count: number };

export type DeploymentDurations = {
  status: string;
  count: number;
  sumSeconds: number;
  /** Cumulative: cumulative[i] deployments took at most buckets[i] seconds. */
  cumulative: number[];
};

export type StepFailureCount = { step: string; count: number };

export class DeploymentMetricsRepository {
  private readonly countByStatus;
  private readonly countFailuresByStep;
  private readonly durationsByStatus;

  constructor(
    db: Db,
    readonly durationBuckets: readonly number[],
  ) {
    this.countByStatus = db.prepare('SELECT status, mode, COUNT(*) AS count FROM deployments GROUP BY status, mode');
    this.countFailuresByStep = db.prepare(
      "SELECT COALESCE(step, 'unknown') AS step, COUNT(*) AS count FROM deployments WHERE status = 'failed' GROUP BY COALESCE(step, 'unknown')",
    );
    // One pass over finished rows: a SUM per bucket bound gives the cumulative counts directly.
    const bucketColumns = durationBuckets.map((_, i) => `SUM(CASE WHEN seconds <= @b${i} THEN 1 ELSE 0 END) AS b${i}`).join(', ');
    this.durationsByStatus = db.prepare(
      `SELECT status, COUNT(*) AS count, COALESCE(SUM(seconds), 0) AS sum${bucketColumns ? `, ${bucketColumns}` : ''}
         FROM (SELECT status, MAX(0, (julianday(finished_at) - julianday(started_at)) * 86400.0) AS seconds
                 FROM deployments WHERE finished_at IS NOT NULL)
        GROUP BY status`,
    );
  }

  statusCounts(): DeploymentStatusCount[] {
    return this.countByStatus.all() as DeploymentStatusCount[];
  }

  failuresByStep(): StepFailureCount[] {
    return this.countFailuresByStep.all() as StepFailureCount[];
  }

  durations(): DeploymentDurations[] {
    const parameters = Object.fromEntries(this.durationBuckets.map((bound, i) => [`b${i}`, bound]));
    const rows = this.durationsByStatus.all(parameters) as Record<string, number | string>[];
    return rows.map((row) => ({
      status: String(row.status),
      count: Number(row.count),
      sumSeconds: Number(row.sum),
      cumulative: this.durationBuckets.map((_, i) => Number(row[`b${i}`] ?? 0)),
    }));
  }
}
