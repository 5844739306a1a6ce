// The mount page's figures: the monthly cost estimate per provider, and transfer performance.
import type { MountCosts, MountPerformance } from '../../api/wire-types.js';
import { Badge } from '../../components/badge.js';
import { DataTable } from '../../components/data-table.js';
import { ResourceStatus } from '../../components/notices.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { CardHeader } from '../../components/section-header.js';
import type { ApiData } from '../../hooks/use-api-data.js';
import { formatBytes, formatCurrency, formatDuration } from '../../lib/format.js';

export function CostsCard({ costs }: { costs: ApiData<MountCosts> }) {
  const cost = costs.data?.data;
  return (
    <section className="card">
      <CardHeader title="Costs" actions={cost ? <span className="muted small">prices as of {cost.priceTable.asOf}</span> : null} />
      <div className="card-body stack">
        <ResourceStatus resource={costs} />
        {cost ? (
          <>
            {cost.budget !== null ? (
              <div className="stack stack-tight">
                <div className="row-between small">
                  <span>
                    {formatCurrency(cost.monthly, cost.currency)} of {formatCurrency(cost.budget, cost.currency)} monthly budget
                  </span>
                  {cost.overBudget ? <Badge tone="danger">over budget</Badge> : null}
                </div>
                <ProgressBar percent={(cost.monthly / Math.max(cost.budget, 0.01)) * 100} label="Budget used" danger={cost.overBudget} />
              </div>
            ) : null}
            {cost.breakdown.length === 0 ? (
              <p className="muted">No provider is connected, so nothing costs anything yet.</p>
            ) : (
              <DataTable
                rows={cost.breakdown}
                rowKey={(row) => row.provider}
                columns={[
                  {
                    header: 'Provider',
                    cell: (row) => (
                      <>
                        {row.provider}
                        <div className="muted small">{row.plan}</div>
                      </>
                    ),
                  },
                  {
                    header: 'Used',
                    cell: (row) => (row.error ? <span className="muted small">{row.error}</span> : formatBytes(row.usedBytes)),
                  },
                  { header: 'Monthly', cell: (row) => (row.monthly === null ? '—' : formatCurrency(row.monthly, cost.currency)) },
                ]}
              />
            )}
            <p className="muted small">
              Estimates from a price table; see {cost.priceTable.documentation} for the rates and how to set a budget.
            </p>
          </>
        ) : null}
      </div>
    </section>
  );
}

export function PerformanceCard({ performance }: { performance: ApiData<MountPerformance> }) {
  const perf = performance.data?.data;
  return (
    <section className="card">
      <CardHeader
        title="Performance"
        actions={perf ? <span className="muted small">over the last {formatDuration(perf.elapsedTime)}</span> : null}
      />
      <div className="card-body stack">
        <ResourceStatus resource={performance} />
        {perf ? (
          <>
            <dl className="figures">
              <div>
                <dt>Transferred</dt>
                <dd>{formatBytes(perf.bytes)}</dd>
              </div>
              <div>
                <dt>Transfers</dt>
                <dd>{perf.transfers}</dd>
              </div>
              <div>
                <dt>Checks</dt>
                <dd>{perf.checks}</dd>
              </div>
              <div>
                <dt>Errors</dt>
                <dd>{perf.errors}</dd>
              </div>
            </dl>
            {perf.lastError ? <div className="notice notice-warning small">Last error: {perf.lastError}</div> : null}
            {perf.transferring.map((transfer) => (
              <div key={transfer.name} className="stack stack-tight">
                <div className="row-between small">
                  <span className="mono truncate">{transfer.name}</span>
                  <span className="muted">{formatBytes(transfer.speed)}/s</span>
                </div>
                <ProgressBar percent={transfer.percentage} />
              </div>
            ))}
            {perf.vfs.length > 0 ? (
              <DataTable
                rows={perf.vfs}
                rowKey={(vfs) => vfs.fs}
                columns={[
                  {
                    header: 'Cache',
                    cell: (vfs) => (
                      <>
                        {vfs.provider} {vfs.outOfSpace ? <Badge tone="danger">out of space</Badge> : null}
                      </>
                    ),
                  },
                  { header: 'Used', cell: (vfs) => `${formatBytes(vfs.cacheBytesUsed)} · ${vfs.cacheFiles} files` },
                  {
                    header: 'Uploads',
                    cell: (vfs) =>
                      `${vfs.uploadsInProgress} active, ${vfs.uploadsQueued} queued${vfs.erroredFiles > 0 ? `, ${vfs.erroredFiles} failed` : ''}`,
                  },
                ]}
              />
            ) : (
              <p className="muted small">No VFS cache in use.</p>
            )}
          </>
        ) : null}
      </div>
    </section>
  );
}
