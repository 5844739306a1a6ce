// Deployed apps and every other container: state, ports as links, live CPU/memory charts, actions
// with confirmation, and logs.
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { authSession } from '../../api/auth-session.js';
import { api } from '../../api/http-client.js';
import { useCatalogIndex } from '../../api/catalog-store.js';
import type { Container, ContainersResponse } from '../../api/wire-types.js';
import { AppIcon } from '../../components/app-icon.js';
import { Badge, type BadgeTone } from '../../components/badge.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { InlineSelect, SearchField } from '../../components/field.js';
import { LogsIcon, PlayIcon, RestartIcon, StopIcon, TrashIcon } from '../../components/icons.js';
import { EmptyState, ErrorBanner, ResourceStatus } from '../../components/notices.js';
import { CardHeader, PageHeader } from '../../components/section-header.js';
import { Sparkline } from '../../components/sparkline.js';
import { toast } from '../../components/toaster.js';
import { useApiData } from '../../hooks/use-api-data.js';
import { useRowActions } from '../../hooks/use-row-actions.js';
import { formatBytes, formatPercent } from '../../lib/format.js';
import { Link } from '../../lib/router.js';
import { LogsDialog, type LogsTarget } from './logs-dialog.js';

const POLL_MS = 3000;
const HISTORY = 30;

type History = Map<string, { cpu: number[]; memory: number[] }>;
type Pending =
  | { kind: 'container'; action: 'stop' | 'restart' | 'remove'; container: Container }
  | { kind: 'app'; action: 'stop' | 'remove'; appId: string; containers: Container[] };

export function containerName(container: Container): string {
  return (container.Names[0] ?? container.Id.slice(0, 12)).replace(/^\//, '');
}

function stateTone(state: string): BadgeTone {
  if (state === 'running') return 'success';
  if (state === 'restarting' || state === 'paused' || state === 'created') return 'warning';
  if (state === 'dead') return 'danger';
  return 'neutral';
}

export function AppsPage() {
  const session = authSession.get();
  const canOperate = session.status === 'signed-in' && session.user.role !== 'viewer';
  const containers = useApiData((signal) => api.get<ContainersResponse>('/containers', { query: { stats: true }, signal }), [], { pollMs: POLL_MS });
  const [filter, setFilter] = useState('');
  const [stateFilter, setStateFilter] = useState<'all' | 'running' | 'stopped'>('all');
  const [pending, setPending] = useState<Pending | null>(null);
  const [logs, setLogs] = useState<LogsTarget | null>(null);
  const rowActions = useRowActions();
  const history = useRef<History>(new Map());
  const catalog = useCatalogIndex();
  const [, setTick] = useState(0);

  // Each poll adds one sample per container to its short history, which the sparklines draw.
  useEffect(() => {
    const list = containers.data?.containers;
    if (!list) return;
    const next: History = new Map();
    for (const container of list) {
      const previous = history.current.get(container.Id) ?? { cpu: [], memory: [] };
      if (!container.stats || container.State !== 'running') {
        next.set(container.Id, previous);
        continue;
      }
      next.set(container.Id, {
        cpu: [...previous.cpu, container.stats.cpu].slice(-HISTORY),
        memory: [...previous.memory, container.stats.memory.usage].slice(-HISTORY),
      });
    }
    history.current = next;
    setTick((tick) => tick + 1);
  }, [containers.data]);

  const groups = useMemo(() => {
    const list = containers.data?.containers ?? [];
    const term = filter.trim().toLowerCase();
    const filtered = list.filter((container) => {
      if (stateFilter === 'running' && container.State !== 'running') return false;
      if (stateFilter === 'stopped' && container.State === 'running') return false;
      if (!term) return true;
      return `${containerName(container)} ${container.Image} ${container.app?.appId ?? ''}`.toLowerCase().includes(term);
    });
    const apps = new Map<string, Container[]>();
    const others: Container[] = [];
    for (const container of filtered) {
      if (container.app) apps.set(container.app.appId, [...(apps.get(container.app.appId) ?? []), container]);
      else others.push(container);
    }
    return { apps: [...apps.entries()].sort(([a], [b]) => a.localeCompare(b)), others, total: list.length };
  }, [containers.data, filter, stateFilter]);

  const start = (container: Container) =>
    void rowActions.run(container.Id, async () => {
      await api.post(`/containers/${encodeURIComponent(container.Id)}/start`);
      toast('success', `Started ${containerName(container)}`);
      await containers.reload();
    });

  const containerRows = (list: Container[]) =>
    list.map((container) => (
      <ContainerRow
        key={container.Id}
        container={container}
        history={history.current.get(container.Id)}
        canOperate={canOperate}
        busy={rowActions.isBusy(container.Id)}
        onStart={start}
        onAsk={(action) => setPending({ kind: 'container', action, container })}
        onLogs={() => setLogs({ kind: 'container', id: container.Id, name: containerName(container) })}
      />
    ));

  const running = containers.data?.containers.filter((container) => container.State === 'running').length ?? 0;

  return (
    <div>
      <PageHeader
        title="Apps and containers"
        description={
          containers.data
            ? `${groups.apps.length} deployed app${groups.apps.length === 1 ? '' : 's'} · ${running} of ${groups.total} containers running`
            : 'What runs on this Docker host.'
        }
        actions={
          <Link to="/catalog" className="button button-primary">
            Deploy an app
          </Link>
        }
      />
      <div className="catalog-toolbar">
        <SearchField
          id="containers-search"
          label="Filter containers"
          placeholder="Filter by name, image or app"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
        <InlineSelect
          id="state-filter"
          label="State"
          value={stateFilter}
          onChange={(event) => setStateFilter(event.target.value as typeof stateFilter)}
        >
          <option value="all">All states</option>
          <option value="running">Running</option>
          <option value="stopped">Not running</option>
        </InlineSelect>
      </div>
      {/* A failed poll keeps the last answer on screen, with the error above it. */}
      {containers.data ? <ErrorBanner error={containers.error} /> : <ResourceStatus resource={containers} loadingLabel="Loading containers…" />}
      {containers.data ? (
        <div className="stack-large">
          {groups.apps.length === 0 && groups.others.length === 0 ? (
            <EmptyState title={groups.total === 0 ? 'No containers yet' : 'Nothing matches the filter'}>
              {groups.total === 0 ? (
                <>
                  Deploy something from the <Link to="/catalog">catalog</Link>.
                </>
              ) : (
                'Clear the search or choose another state.'
              )}
            </EmptyState>
          ) : null}
          {groups.apps.map(([appId, list]) => {
            const name = catalog.get(appId)?.displayName ?? appId;
            return (
              <section key={appId} className="card app-group" aria-label={`App ${appId}`} data-testid="app-group" data-app-id={appId}>
                <div className="card-header">
                  <div className="app-group-title">
                    <AppIcon name={catalog.get(appId)?.displayName ?? appId.replace(/^[^-]+-/, '')} icon={catalog.get(appId)?.icon} size={36} />
                    <div className="card-title">
                      <h2 className="truncate">{name}</h2>
                      <div className="muted small truncate">
                        {appId} · {list.filter((c) => c.State === 'running').length}/{list.length} running
                      </div>
                    </div>
                  </div>
                  <div className="button-group app-group-actions">
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => setLogs({ kind: 'app', appId, name: appId })}
                      aria-label={`Logs of ${name}`}
                      title="Logs"
                    >
                      <LogsIcon size={14} /> <span className="label-wide">Logs</span>
                    </button>
                    <button
                      type="button"
                      className="button button-small"
                      disabled={!canOperate}
                      title="Stop app"
                      onClick={() => setPending({ kind: 'app', action: 'stop', appId, containers: list })}
                    >
                      <StopIcon size={14} /> <span className="label-wide">Stop app</span>
                    </button>
                    <button
                      type="button"
                      className="button button-small"
                      disabled={!canOperate}
                      title="Remove app"
                      onClick={() => setPending({ kind: 'app', action: 'remove', appId, containers: list })}
                    >
                      <TrashIcon size={14} /> <span className="label-wide">Remove app</span>
                    </button>
                  </div>
                </div>
                {containerRows(list)}
              </section>
            );
          })}
          {groups.others.length > 0 ? (
            <section className="card app-group" aria-label="Other containers">
              <CardHeader title="Other containers" description="Not deployed from the catalog" />
              {containerRows(groups.others)}
            </section>
          ) : null}
        </div>
      ) : null}
      {pending ? <PendingDialog pending={pending} onClose={() => setPending(null)} onDone={() => void containers.reload()} /> : null}
      {logs ? <LogsDialog target={logs} onClose={() => setLogs(null)} /> : null}
    </div>
  );
}

function PendingDialog({ pending, onClose, onDone }: { pending: Pending; onClose: () => void; onDone: () => void }) {
  const [removeVolumes, setRemoveVolumes] = useState(false);
  if (pending.kind === 'app') {
    const { appId, action } = pending;
    return (
      <ConfirmDialog
        title={action === 'stop' ? `Stop ${appId}?` : `Remove ${appId}?`}
        confirmLabel={action === 'stop' ? 'Stop app' : 'Remove app'}
        danger={action === 'remove'}
        onClose={onClose}
        onConfirm={async () => {
          if (action === 'stop') await api.post(`/applications/${encodeURIComponent(appId)}/stop`);
          else await api.delete(`/applications/${encodeURIComponent(appId)}`, { query: { removeVolumes: removeVolumes || undefined } });
          toast('success', action === 'stop' ? `Stopped ${appId}` : `Removed ${appId}`);
          onDone();
        }}
      >
        <p>
          {action === 'stop'
            ? `All ${pending.containers.length} container(s) of ${appId} will stop. You can start them again here.`
            : `The containers and network of ${appId} are removed. Its data under APPFOLDER stays on disk.`}
        </p>
        {action === 'remove' ? (
          <label className="checkbox">
            <input type="checkbox" checked={removeVolumes} onChange={(event) => setRemoveVolumes(event.target.checked)} /> Also delete its Docker volumes
          </label>
        ) : null}
      </ConfirmDialog>
    );
  }
  const { container, action } = pending;
  const name = containerName(container);
  const id = encodeURIComponent(container.Id);
  return (
    <ConfirmDialog
      title={`${action === 'stop' ? 'Stop' : action === 'restart' ? 'Restart' : 'Remove'} ${name}?`}
      confirmLabel={action === 'stop' ? 'Stop' : action === 'restart' ? 'Restart' : 'Remove'}
      danger={action !== 'restart'}
      onClose={onClose}
      onConfirm={async () => {
        if (action === 'remove') await api.delete(`/containers/${id}`, { query: { force: container.State === 'running' || undefined, removeVolumes: removeVolumes || undefined } });
        else await api.post(`/containers/${id}/${action}`);
        toast('success', `${action === 'stop' ? 'Stopped' : action === 'restart' ? 'Restarted' : 'Removed'} ${name}`);
        onDone();
      }}
    >
      <p>
        {action === 'remove'
          ? `The container ${name} (${container.Image}) is deleted${container.State === 'running' ? ' even though it is running' : ''}.`
          : action === 'stop'
            ? `${name} stops until you start it again.`
            : `${name} stops and starts again; it is briefly unavailable.`}
      </p>
      {action === 'remove' ? (
        <label className="checkbox">
          <input type="checkbox" checked={removeVolumes} onChange={(event) => setRemoveVolumes(event.target.checked)} /> Also delete its anonymous volumes
        </label>
      ) : null}
    </ConfirmDialog>
  );
}

type ContainerRowProps = {
  container: Container;
  history: { cpu: number[]; memory: number[] } | undefined;
  canOperate: boolean;
  busy: boolean;
  onStart: (container: Container) => void;
  onAsk: (action: 'stop' | 'restart' | 'remove') => void;
  onLogs: () => void;
};

const ContainerRow = memo(function ContainerRow({ container, history, canOperate, busy, onStart, onAsk, onLogs }: ContainerRowProps) {
  const name = containerName(container);
  const isRunning = container.State === 'running';
  const stats = container.stats;
  const published = container.ports.filter((port) => port.publicPort);
  const seen = new Set<string>();
  const links = published.filter((port) => {
    const key = `${port.publicPort}/${port.type}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return (
    <div className="container-row" data-testid="container-row" data-container-name={name} data-state={container.State}>
      <div className="container-identity">
        <div className="row row-nowrap">
          <span className={`dot ${isRunning ? 'dot-success' : container.State === 'exited' ? '' : 'dot-warning'}`} aria-hidden="true" />
          <span className="container-name" title={name}>
            {name}
          </span>
        </div>
        <div className="muted small truncate" title={container.Image}>
          {container.Image}
        </div>
        <div className="row small container-state">
          <Badge tone={stateTone(container.State)}>{container.State}</Badge>
          <span className="muted truncate">{container.Status}</span>
        </div>
      </div>
      <div className="container-ports port-links" aria-label="Published ports">
        {links.length === 0 ? <span className="muted small">no published ports</span> : null}
        {links.map((port) =>
          port.type === 'tcp' ? (
            <a key={`${port.publicPort}/${port.type}`} className="port-link" href={`${location.protocol}//${location.hostname}:${port.publicPort}/`} target="_blank" rel="noreferrer noopener" title={`Open port ${port.publicPort} (container ${port.privatePort})`}>
              :{port.publicPort}→{port.privatePort}
            </a>
          ) : (
            <span key={`${port.publicPort}/${port.type}`} className="port-link">
              :{port.publicPort}/{port.type}
            </span>
          ),
        )}
      </div>
      <div className="metric">
        <span>
          CPU <strong>{isRunning ? formatPercent(stats?.cpu) : '—'}</strong>
        </span>
        <Sparkline values={history?.cpu ?? []} floor={1} label={`CPU of ${name}, last ${history?.cpu.length ?? 0} samples`} />
      </div>
      <div className="metric metric-memory">
        <span>
          Mem <strong>{isRunning && stats ? formatBytes(stats.memory.usage) : '—'}</strong>
        </span>
        <Sparkline values={history?.memory ?? []} floor={1024 * 1024} label={`Memory of ${name}, last ${history?.memory.length ?? 0} samples`} />
      </div>
      <div className="button-group container-actions">
        {isRunning ? (
          <button type="button" className="icon-button" aria-label={`Stop ${name}`} title="Stop" disabled={!canOperate || busy} onClick={() => onAsk('stop')}>
            <StopIcon />
          </button>
        ) : (
          <button type="button" className="icon-button" aria-label={`Start ${name}`} title="Start" disabled={!canOperate || busy} onClick={() => onStart(container)}>
            <PlayIcon />
          </button>
        )}
        <button type="button" className="icon-button" aria-label={`Restart ${name}`} title="Restart" disabled={!canOperate || busy || !isRunning} onClick={() => onAsk('restart')}>
          <RestartIcon />
        </button>
        <button type="button" className="icon-button" aria-label={`Logs of ${name}`} title="Logs" onClick={onLogs}>
          <LogsIcon />
        </button>
        <button type="button" className="icon-button" aria-label={`Remove ${name}`} title="Remove" disabled={!canOperate || busy} onClick={() => onAsk('remove')}>
          <TrashIcon />
        </button>
      </div>
    </div>
  );
});
