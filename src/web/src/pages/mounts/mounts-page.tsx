// Enhanced Mount Manager: cloud and network storage mounted by an rclone mount container.
// Pick the mount container, connect providers (credentials or OAuth), mount/unmount them, and
// watch costs and transfer performance.
import { useMemo, useState } from 'react';
import { authSession } from '../../api/auth-session.js';
import { describeError } from '../../api/api-error.js';
import { api } from '../../api/http-client.js';
import {
  MOUNT_LABEL,
  type ContainersResponse,
  type MountCosts,
  type MountPerformance,
  type MountProviders,
  type MountStatus,
  type ProviderInfo,
  type ProviderMountResult,
  type AuthTestResult,
} from '../../api/wire-types.js';
import { RefreshIcon } from '../../components/icons.js';
import { EmptyState, ErrorFromValue, LoadingBlock } from '../../components/notices.js';
import { toast } from '../../components/toaster.js';
import { useApiData } from '../../hooks/use-api-data.js';
import { formatBytes, formatCurrency, formatDuration } from '../../lib/format.js';
import { Link, setQueryParam, useLocation } from '../../lib/router.js';
import { OAuthCallback } from './oauth-callback.js';
import { OAUTH_CALLBACK_PATH } from './oauth-handoff.js';
import { containerName } from '../apps/apps-page.js';
import { ConnectProviderDialog } from './connect-provider-dialog.js';

export function MountsPage() {
  const { pathname } = useLocation();
  if (pathname === OAUTH_CALLBACK_PATH) return <OAuthCallback />;
  return <MountContainers />;
}

function MountContainers() {
  const containers = useApiData((signal) => api.get<ContainersResponse>('/containers', { signal }), []);
  // Running ones first: a stopped mount container has nothing to manage until it is started.
  const mountContainers = useMemo(
    () =>
      (containers.data?.containers ?? [])
        .filter((container) => MOUNT_LABEL in container.Labels)
        .sort((a, b) => Number(b.State === 'running') - Number(a.State === 'running') || containerName(a).localeCompare(containerName(b))),
    [containers.data],
  );
  const { search } = useLocation();
  const selected = search.get('container');
  const current =
    mountContainers.find((container) => container.Id.startsWith(selected ?? '\0') || containerName(container) === selected) ??
    mountContainers[0] ??
    null;

  return (
    <div>
      <div className="page-header">
        <div>
          <h1>Mounts</h1>
          <p>Cloud and network storage (Google Drive, S3, WebDAV, SFTP, …) mounted on this host through rclone, for your apps to use.</p>
        </div>
        {mountContainers.length > 1 ? (
          <div className="field">
            <label htmlFor="mount-container">Mount container</label>
            <select
              id="mount-container"
              className="select"
              value={current ? containerName(current) : ''}
              onChange={(event) => setQueryParam('container', event.target.value)}
            >
              {mountContainers.map((container) => (
                <option key={container.Id} value={containerName(container)}>
                  {containerName(container)}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      {containers.error ? <ErrorFromValue error={containers.error} onRetry={() => void containers.reload()} /> : null}
      {!containers.data && !containers.error ? <LoadingBlock /> : null}
      {containers.data && !current ? (
        <EmptyState title="No mount container yet">
          Deploy the rclone mount container from the <Link to="/catalog?q=rclone">catalog</Link>, then come back here to connect your
          storage.
        </EmptyState>
      ) : null}
      {current ? (
        <MountManager key={current.Id} containerId={current.Id} name={containerName(current)} running={current.State === 'running'} />
      ) : null}
    </div>
  );
}

function MountManager({ containerId, name, running }: { containerId: string; name: string; running: boolean }) {
  const base = `/enhanced-mount/${encodeURIComponent(containerId)}`;
  // The status answers first; the rest is asked for only once the container turned out to be usable.
  const status = useApiData((signal) => api.get<MountStatus>(`${base}/status`, { signal }), [base]);
  const usable = status.data !== null;
  const providers = useApiData((signal) => api.get<MountProviders>(`${base}/providers`, { signal }), [base], { enabled: usable });
  const costs = useApiData((signal) => api.get<MountCosts>(`${base}/costs`, { signal }), [base], { enabled: usable });
  const performance = useApiData((signal) => api.get<MountPerformance>(`${base}/performance`, { signal }), [base], {
    enabled: usable,
    pollMs: usable ? 5000 : undefined,
  });
  const [connecting, setConnecting] = useState<ProviderInfo | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const session = authSession.get();
  const canOperate = session.status === 'signed-in' && session.user.role !== 'viewer';

  const refreshAll = async () => {
    await Promise.all([status.reload(), providers.reload(), costs.reload()]);
  };

  const toggle = async (provider: ProviderInfo) => {
    setBusy(provider.id);
    try {
      const action = provider.enabled ? 'disable' : 'enable';
      const result = await api.post<ProviderMountResult>(`${base}/providers/${provider.id}/${action}`);
      toast(
        'success',
        result.data.enabled ? `${provider.name} mounted` : `${provider.name} unmounted`,
        result.data.hostPath ?? result.data.mountPoint ?? undefined,
      );
      await refreshAll();
    } catch (error) {
      const { title, details } = describeError(error);
      toast('error', title, details);
    } finally {
      setBusy(null);
    }
  };

  const test = async (provider: ProviderInfo) => {
    setBusy(provider.id);
    try {
      const result = await api.post<AuthTestResult>(`${base}/auth/test`, { provider: provider.id });
      if (result.data.ok)
        toast(
          'success',
          `${provider.name} answers`,
          `${Math.round(result.data.latencyMs)} ms${result.data.entries !== null ? ` · ${result.data.entries} entries at the root` : ''}`,
        );
      else toast('error', `${provider.name} does not answer`, result.data.error ?? undefined);
    } catch (error) {
      const { title, details } = describeError(error);
      toast('error', title, details);
    } finally {
      setBusy(null);
    }
  };

  if (!running) {
    return (
      <EmptyState title={`${name} is not running`}>
        Start it on the <Link to="/apps">Apps</Link> page to manage its mounts.
      </EmptyState>
    );
  }

  const statusData = status.data?.data;
  const perf = performance.data?.data;
  const cost = costs.data?.data;
  return (
    <div className="stack-large">
      {status.error ? <ErrorFromValue error={status.error} onRetry={() => void status.reload()} /> : null}
      <div className="stat-grid">
        <div className="card stat">
          <div className="stat-label">rclone</div>
          <div className="stat-value">{statusData ? statusData.version : '…'}</div>
          <div className="muted small truncate">{name}</div>
        </div>
        <div className="card stat">
          <div className="stat-label">Active mounts</div>
          <div className="stat-value">{statusData ? statusData.mounts.length : '…'}</div>
          <div className="muted small truncate" title={statusData?.hostMountPath ?? statusData?.mountPath}>
            {statusData ? (statusData.hostMountPath ?? statusData.mountPath) : ''}
          </div>
        </div>
        <div className="card stat">
          <div className="stat-label">Transfer speed</div>
          <div className="stat-value">{perf ? `${formatBytes(perf.speed)}/s` : '…'}</div>
          <div className="muted small">{perf ? `${perf.activeTransfers} active · ${perf.errors} errors` : ''}</div>
        </div>
        <div className="card stat">
          <div className="stat-label">Estimated cost</div>
          <div className="stat-value">{cost ? `${formatCurrency(cost.monthly, cost.currency)}/mo` : '…'}</div>
          <div className="muted small">
            {cost?.budget !== null && cost?.budget !== undefined
              ? `budget ${formatCurrency(cost.budget, cost.currency)}${cost.overBudget ? ' · over budget' : ''}`
              : 'no budget set'}
          </div>
        </div>
      </div>

      <section className="card">
        <div className="card-header">
          <div>
            <h2>Providers</h2>
            <p className="muted small">
              Connect a provider once, then mount or unmount it. Credentials are stored by rclone and never shown again.
            </p>
          </div>
          <button type="button" className="icon-button" aria-label="Refresh providers" onClick={() => void refreshAll()}>
            <RefreshIcon />
          </button>
        </div>
        {providers.error ? (
          <div className="card-body">
            <ErrorFromValue error={providers.error} onRetry={() => void providers.reload()} />
          </div>
        ) : null}
        {!providers.data && !providers.error ? <LoadingBlock /> : null}
        {providers.data ? (
          <div className="table-wrap">
            <table className="table" data-testid="providers-table">
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col" className="hide-mobile">
                    Sign-in
                  </th>
                  <th scope="col">State</th>
                  <th scope="col" className="hide-mobile">
                    Space
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {providers.data.data.providers.map((provider) => {
                  const live = statusData?.providers[provider.id];
                  const quota = live?.quota;
                  return (
                    <tr key={provider.id} data-testid="provider-row" data-provider={provider.id}>
                      <td>
                        <strong>{provider.name}</strong>
                        {provider.note ? <div className="muted small">{provider.note}</div> : null}
                      </td>
                      <td className="hide-mobile">
                        <span className="badge">
                          {provider.authType === 'oauth' ? 'OAuth' : provider.authType === 'credentials' ? 'credentials' : 'none'}
                        </span>
                      </td>
                      <td>
                        {!provider.available ? (
                          <span className="badge">not in this rclone</span>
                        ) : provider.enabled ? (
                          <span className="badge badge-success">mounted</span>
                        ) : provider.configured ? (
                          <span className="badge badge-accent">connected</span>
                        ) : (
                          <span className="badge">not connected</span>
                        )}
                      </td>
                      <td className="hide-mobile small">
                        {quota && quota.used !== null ? (
                          `${formatBytes(quota.used)}${quota.total ? ` of ${formatBytes(quota.total)}` : ''}`
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td className="actions">
                        <div className="button-group" style={{ justifyContent: 'flex-end' }}>
                          {provider.authType !== 'none' ? (
                            <button
                              type="button"
                              className="button button-small"
                              disabled={!canOperate || !provider.available || busy === provider.id}
                              onClick={() => setConnecting(provider)}
                            >
                              {provider.configured ? 'Reconnect' : 'Connect'}
                            </button>
                          ) : null}
                          {provider.configured ? (
                            <button
                              type="button"
                              className="button button-small"
                              disabled={busy === provider.id || !provider.available}
                              onClick={() => void test(provider)}
                              aria-label={`Test ${provider.name}`}
                            >
                              Test
                            </button>
                          ) : null}
                          {provider.configured || provider.authType === 'none' ? (
                            <button
                              type="button"
                              className={`button button-small ${provider.enabled ? '' : 'button-primary'}`}
                              disabled={!canOperate || !provider.available || busy === provider.id}
                              aria-pressed={provider.enabled}
                              aria-label={`${provider.enabled ? 'Unmount' : 'Mount'} ${provider.name}`}
                              onClick={() => void toggle(provider)}
                            >
                              {busy === provider.id ? '…' : provider.enabled ? 'Unmount' : 'Mount'}
                            </button>
                          ) : null}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      <div className="grid-2">
        <section className="card">
          <div className="card-header">
            <h2>Costs</h2>
            {cost ? <span className="muted small">prices as of {cost.priceTable.asOf}</span> : null}
          </div>
          <div className="card-body stack">
            {costs.error ? <ErrorFromValue error={costs.error} onRetry={() => void costs.reload()} /> : null}
            {!cost && !costs.error ? <LoadingBlock /> : null}
            {cost ? (
              <>
                {cost.budget !== null ? (
                  <div className="stack" style={{ gap: 4 }}>
                    <div className="row-between small">
                      <span>
                        {formatCurrency(cost.monthly, cost.currency)} of {formatCurrency(cost.budget, cost.currency)} monthly budget
                      </span>
                      {cost.overBudget ? <span className="badge badge-danger">over budget</span> : null}
                    </div>
                    <div
                      className="progress"
                      role="progressbar"
                      aria-label="Budget used"
                      aria-valuemin={0}
                      aria-valuemax={100}
                      aria-valuenow={Math.min(100, Math.round((cost.monthly / Math.max(cost.budget, 0.01)) * 100))}
                    >
                      <span
                        style={{
                          width: `${Math.min(100, (cost.monthly / Math.max(cost.budget, 0.01)) * 100)}%`,
                          background: cost.overBudget ? 'var(--danger)' : undefined,
                        }}
                      />
                    </div>
                  </div>
                ) : null}
                {cost.breakdown.length === 0 ? (
                  <p className="muted">No provider is connected, so nothing costs anything yet.</p>
                ) : (
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Provider</th>
                        <th scope="col">Used</th>
                        <th scope="col">Monthly</th>
                      </tr>
                    </thead>
                    <tbody>
                      {cost.breakdown.map((row) => (
                        <tr key={row.provider}>
                          <td>
                            {row.provider}
                            <div className="muted small">{row.plan}</div>
                          </td>
                          <td>{row.error ? <span className="muted small">{row.error}</span> : formatBytes(row.usedBytes)}</td>
                          <td>{row.monthly === null ? '—' : formatCurrency(row.monthly, cost.currency)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                <p className="muted small">
                  Estimates from a price table; see {cost.priceTable.documentation} for the rates and how to set a budget.
                </p>
              </>
            ) : null}
          </div>
        </section>
        <section className="card">
          <div className="card-header">
            <h2>Performance</h2>
            {perf ? <span className="muted small">over the last {formatDuration(perf.elapsedTime)}</span> : null}
          </div>
          <div className="card-body stack">
            {performance.error ? <ErrorFromValue error={performance.error} onRetry={() => void performance.reload()} /> : null}
            {!perf && !performance.error ? <LoadingBlock /> : null}
            {perf ? (
              <>
                <div className="stat-grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(120px, 1fr))' }}>
                  <div>
                    <div className="stat-label">Transferred</div>
                    <strong>{formatBytes(perf.bytes)}</strong>
                  </div>
                  <div>
                    <div className="stat-label">Transfers</div>
                    <strong>{perf.transfers}</strong>
                  </div>
                  <div>
                    <div className="stat-label">Checks</div>
                    <strong>{perf.checks}</strong>
                  </div>
                  <div>
                    <div className="stat-label">Errors</div>
                    <strong>{perf.errors}</strong>
                  </div>
                </div>
                {perf.lastError ? <div className="notice notice-warning small">Last error: {perf.lastError}</div> : null}
                {perf.transferring.map((transfer) => (
                  <div key={transfer.name} className="stack" style={{ gap: 4 }}>
                    <div className="row-between small">
                      <span className="mono truncate">{transfer.name}</span>
                      <span className="muted">{formatBytes(transfer.speed)}/s</span>
                    </div>
                    <div className="progress" aria-hidden="true">
                      <span style={{ width: `${transfer.percentage}%` }} />
                    </div>
                  </div>
                ))}
                {perf.vfs.length > 0 ? (
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Cache</th>
                        <th scope="col">Used</th>
                        <th scope="col">Uploads</th>
                      </tr>
                    </thead>
                    <tbody>
                      {perf.vfs.map((vfs) => (
                        <tr key={vfs.fs}>
                          <td>
                            {vfs.provider}
                            {vfs.outOfSpace ? <span className="badge badge-danger">out of space</span> : null}
                          </td>
                          <td>
                            {formatBytes(vfs.cacheBytesUsed)} · {vfs.cacheFiles} files
                          </td>
                          <td>
                            {vfs.uploadsInProgress} active, {vfs.uploadsQueued} queued
                            {vfs.erroredFiles > 0 ? `, ${vfs.erroredFiles} failed` : ''}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : (
                  <p className="muted small">No VFS cache in use.</p>
                )}
              </>
            ) : null}
          </div>
        </section>
      </div>
      {connecting ? (
        <ConnectProviderDialog
          base={base}
          provider={connecting}
          onClose={() => setConnecting(null)}
          onConnected={() => void refreshAll()}
        />
      ) : null}
    </div>
  );
}
