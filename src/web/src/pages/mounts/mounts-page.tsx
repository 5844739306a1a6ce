// Enhanced Mount Manager: cloud and network storage mounted by an rclone mount container.
// Pick the mount container, connect providers (credentials or OAuth), mount/unmount them, and
// watch costs and transfer performance.
import { useMemo, useState } from 'react';
import { authSession } from '../../api/auth-session.js';
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
import { Badge } from '../../components/badge.js';
import { DataTable } from '../../components/data-table.js';
import { SelectField } from '../../components/field.js';
import { RefreshIcon } from '../../components/icons.js';
import { EmptyState, ErrorBanner, ResourceStatus } from '../../components/notices.js';
import { CardHeader, PageHeader } from '../../components/section-header.js';
import { StatCard } from '../../components/stat-card.js';
import { toast } from '../../components/toaster.js';
import { useApiData, type ApiData } from '../../hooks/use-api-data.js';
import { useRowActions } from '../../hooks/use-row-actions.js';
import { formatBytes, formatCurrency } from '../../lib/format.js';
import { Link, setQueryParam, useLocation } from '../../lib/router.js';
import { OAuthCallback } from './oauth-callback.js';
import { OAUTH_CALLBACK_PATH } from './oauth-handoff.js';
import { containerName } from '../apps/apps-page.js';
import { ConnectProviderDialog } from './connect-provider-dialog.js';
import { CostsCard, PerformanceCard } from './mount-stats-cards.js';

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
      <PageHeader
        title="Mounts"
        description="Cloud and network storage (Google Drive, S3, WebDAV, SFTP, …) mounted on this host through rclone, for your apps to use."
        actions={
          mountContainers.length > 1 ? (
            <SelectField
              id="mount-container"
              label="Mount container"
              value={current ? containerName(current) : ''}
              onChange={(event) => setQueryParam('container', event.target.value)}
            >
              {mountContainers.map((container) => (
                <option key={container.Id} value={containerName(container)}>
                  {containerName(container)}
                </option>
              ))}
            </SelectField>
          ) : null
        }
      />
      <ResourceStatus resource={containers} />
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

  const refreshAll = async () => {
    await Promise.all([status.reload(), providers.reload(), costs.reload()]);
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
      <ErrorBanner error={status.error} onRetry={() => void status.reload()} />
      <div className="stat-grid">
        <StatCard label="rclone" value={statusData ? statusData.version : '…'} detail={name} truncate />
        <StatCard
          label="Active mounts"
          value={statusData ? statusData.mounts.length : '…'}
          detail={statusData ? (statusData.hostMountPath ?? statusData.mountPath) : ''}
          truncate
        />
        <StatCard
          label="Transfer speed"
          value={perf ? `${formatBytes(perf.speed)}/s` : '…'}
          detail={perf ? `${perf.activeTransfers} active · ${perf.errors} errors` : ''}
        />
        <StatCard
          label="Estimated cost"
          value={cost ? `${formatCurrency(cost.monthly, cost.currency)}/mo` : '…'}
          detail={
            cost?.budget !== null && cost?.budget !== undefined
              ? `budget ${formatCurrency(cost.budget, cost.currency)}${cost.overBudget ? ' · over budget' : ''}`
              : 'no budget set'
          }
        />
      </div>
      <ProvidersCard base={base} providers={providers} liveStatus={statusData} onChanged={refreshAll} />
      <div className="grid-2">
        <CostsCard costs={costs} />
        <PerformanceCard performance={performance} />
      </div>
    </div>
  );
}

function providerState(provider: ProviderInfo) {
  if (!provider.available) return <Badge>not in this rclone</Badge>;
  if (provider.enabled) return <Badge tone="success">mounted</Badge>;
  if (provider.configured) return <Badge tone="accent">connected</Badge>;
  return <Badge>not connected</Badge>;
}

const SIGN_IN_LABELS: Record<ProviderInfo['authType'], string> = { oauth: 'OAuth', credentials: 'credentials', none: 'none' };

function ProvidersCard({
  base,
  providers,
  liveStatus,
  onChanged,
}: {
  base: string;
  providers: ApiData<MountProviders>;
  liveStatus: MountStatus['data'] | undefined;
  onChanged: () => Promise<void>;
}) {
  const [connecting, setConnecting] = useState<ProviderInfo | null>(null);
  const rows = useRowActions();
  const session = authSession.get();
  const canOperate = session.status === 'signed-in' && session.user.role !== 'viewer';

  const toggle = (provider: ProviderInfo) =>
    rows.run(provider.id, async () => {
      const action = provider.enabled ? 'disable' : 'enable';
      const result = await api.post<ProviderMountResult>(`${base}/providers/${provider.id}/${action}`);
      toast(
        'success',
        result.data.enabled ? `${provider.name} mounted` : `${provider.name} unmounted`,
        result.data.hostPath ?? result.data.mountPoint ?? undefined,
      );
      await onChanged();
    });

  const test = (provider: ProviderInfo) =>
    rows.run(provider.id, async () => {
      const result = await api.post<AuthTestResult>(`${base}/auth/test`, { provider: provider.id });
      if (result.data.ok)
        toast(
          'success',
          `${provider.name} answers`,
          `${Math.round(result.data.latencyMs)} ms${result.data.entries !== null ? ` · ${result.data.entries} entries at the root` : ''}`,
        );
      else toast('error', `${provider.name} does not answer`, result.data.error ?? undefined);
    });

  return (
    <section className="card">
      <CardHeader
        title="Providers"
        description="Connect a provider once, then mount or unmount it. Credentials are stored by rclone and never shown again."
        actions={
          <button type="button" className="icon-button" aria-label="Refresh providers" title="Refresh" onClick={() => void onChanged()}>
            <RefreshIcon />
          </button>
        }
      />
      <ResourceStatus resource={providers} inCard />
      {providers.data ? (
        <DataTable
          testId="providers-table"
          stackOnPhones
          rows={providers.data.data.providers}
          rowKey={(provider) => provider.id}
          rowAttributes={(provider) => ({ 'data-testid': 'provider-row', 'data-provider': provider.id })}
          columns={[
            {
              header: 'Provider',
              cell: (provider) => (
                <>
                  <strong>{provider.name}</strong>
                  {provider.note ? <div className="muted small">{provider.note}</div> : null}
                </>
              ),
            },
            { header: 'Sign-in', optional: true, cell: (provider) => <Badge>{SIGN_IN_LABELS[provider.authType]}</Badge> },
            { header: 'State', cell: providerState },
            {
              header: 'Space',
              optional: true,
              className: 'small nowrap',
              cell: (provider) => {
                const quota = liveStatus?.providers[provider.id]?.quota;
                return quota && quota.used !== null ? (
                  `${formatBytes(quota.used)}${quota.total ? ` of ${formatBytes(quota.total)}` : ''}`
                ) : (
                  <span className="muted">—</span>
                );
              },
            },
          ]}
          actions={(provider) => {
            const busy = rows.isBusy(provider.id);
            return (
              <div className="button-group">
                {provider.authType !== 'none' ? (
                  <button
                    type="button"
                    className="button button-small"
                    disabled={!canOperate || !provider.available || busy}
                    onClick={() => setConnecting(provider)}
                    aria-label={`${provider.configured ? 'Reconnect' : 'Connect'} ${provider.name}`}
                  >
                    {provider.configured ? 'Reconnect' : 'Connect'}
                  </button>
                ) : null}
                {provider.configured ? (
                  <button
                    type="button"
                    className="button button-small"
                    disabled={busy || !provider.available}
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
                    disabled={!canOperate || !provider.available || busy}
                    aria-pressed={provider.enabled}
                    aria-label={`${provider.enabled ? 'Unmount' : 'Mount'} ${provider.name}`}
                    onClick={() => void toggle(provider)}
                  >
                    {busy ? '…' : provider.enabled ? 'Unmount' : 'Mount'}
                  </button>
                ) : null}
              </div>
            );
          }}
        />
      ) : null}
      {connecting ? (
        <ConnectProviderDialog base={base} provider={connecting} onClose={() => setConnecting(null)} onConnected={() => void onChanged()} />
      ) : null}
    </section>
  );
}
