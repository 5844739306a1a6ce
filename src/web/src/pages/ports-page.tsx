// Port manager: every used host port with its owner, a quick "is this port free?" check, and a
// finder for the next free port in a range.
import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../api/http-client.js';
import type { PortAvailableResponse, PortDetail, PortsCheckResponse } from '../api/wire-types.js';
import { Badge } from '../components/badge.js';
import { CopyButton } from '../components/copy-button.js';
import { DataTable } from '../components/data-table.js';
import { InlineSelect, SearchField, TextField } from '../components/field.js';
import { RefreshIcon } from '../components/icons.js';
import { EmptyState, ErrorBanner, InfoNotice, ResourceStatus } from '../components/notices.js';
import { CardHeader, PageHeader } from '../components/section-header.js';
import { useApiData } from '../hooks/use-api-data.js';
import { useAsyncAction } from '../hooks/use-async-action.js';

function ownerName(row: PortDetail): string {
  return row.appId ?? row.container?.replace(/^\//, '') ?? (row.source === 'host' ? 'a host program' : 'a container');
}

export function PortsPage() {
  const ports = useApiData((signal) => api.get<PortsCheckResponse>('/ports/check', { signal }), [], { pollMs: 15000 });
  const [filter, setFilter] = useState('');
  const [source, setSource] = useState<'all' | 'docker' | 'host'>('all');

  const rows: PortDetail[] = useMemo(() => {
    const data = ports.data;
    if (!data) return [];
    const details = data.details;
    const term = filter.trim().toLowerCase();
    return details
      .filter((row) => source === 'all' || row.source === source)
      .filter((row) => !term || `${row.port} ${row.container ?? ''} ${row.appId ?? ''} ${row.protocol}`.toLowerCase().includes(term))
      .sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  }, [ports.data, filter, source]);

  return (
    <div>
      <PageHeader
        title="Ports"
        description="Host ports in use by containers and by programs on the host, and free ones for your next app."
        actions={
          <button type="button" className="button" onClick={() => void ports.reload()}>
            <RefreshIcon size={16} /> Refresh
          </button>
        }
      />
      <div className="grid-2 section-gap-bottom">
        <PortChecker used={ports.data?.usedPorts ?? null} details={ports.data?.details ?? []} />
        <FreePortFinder />
      </div>
      <section className="card">
        <CardHeader
          title={<>Used ports {ports.data ? <span className="muted small">({ports.data.usedPorts.length})</span> : null}</>}
          actions={
            <div className="row toolbar">
              <SearchField
                id="ports-filter"
                label="Filter ports"
                placeholder="Filter"
                value={filter}
                onChange={(event) => setFilter(event.target.value)}
              />
              <InlineSelect
                id="ports-source"
                label="Owner"
                value={source}
                onChange={(event) => setSource(event.target.value as typeof source)}
              >
                <option value="all">Docker and host</option>
                <option value="docker">Docker only</option>
                <option value="host">Host only</option>
              </InlineSelect>
            </div>
          }
        />
        {ports.data ? null : <ResourceStatus resource={ports} inCard />}
        {ports.data && rows.length === 0 ? (
          <div className="card-body">
            <EmptyState title="No ports match">{filter || source !== 'all' ? 'Try another filter.' : null}</EmptyState>
          </div>
        ) : null}
        {ports.data && rows.length > 0 ? (
          <DataTable
            testId="ports-table"
            rows={rows}
            rowKey={(row) => `${row.port}/${row.protocol}/${row.source}/${row.container ?? ''}/${row.address ?? ''}`}
            columns={[
              { header: 'Port', className: 'mono', cell: (row) => row.port },
              { header: 'Protocol', cell: (row) => row.protocol },
              { header: 'Address', optional: true, className: 'mono small', cell: (row) => row.address ?? '—' },
              {
                header: 'Used by',
                className: 'break-anywhere',
                cell: (row) => (
                  <>
                    <Badge tone={row.source === 'docker' ? 'accent' : 'neutral'}>{row.source}</Badge>{' '}
                    {row.container ? <span className="mono small">{row.container.replace(/^\//, '')}</span> : null}
                  </>
                ),
              },
              { header: 'App', optional: true, cell: (row) => row.appId ?? <span className="muted">—</span> },
            ]}
          />
        ) : null}
      </section>
    </div>
  );
}

function PortChecker({ used, details }: { used: number[] | null; details: PortDetail[] }) {
  const [value, setValue] = useState('');
  const port = Number(value);
  const valid = /^\d+$/.test(value) && port >= 1 && port <= 65535;
  const owners = details.filter((row) => row.port === port);
  const inUse = used?.includes(port) ?? false;
  return (
    <section className="card card-pad stack">
      <h2>Is a port free?</h2>
      <TextField
        id="port-check"
        label="Port"
        inputMode="numeric"
        placeholder="e.g. 8080"
        value={value}
        onChange={(event) => setValue(event.target.value.trim())}
        error={value && !valid ? 'A port is a number from 1 to 65535.' : undefined}
        help={value ? undefined : 'Type a port to see whether a container or a program on the host uses it.'}
      />
      <div aria-live="polite">
        {valid && used ? (
          inUse ? (
            <InfoNotice tone="warning">
              Port {port} is in use{owners.length > 0 ? ` by ${owners.map(ownerName).join(', ')}` : ''}.
            </InfoNotice>
          ) : (
            <InfoNotice tone="success">Port {port} is free.</InfoNotice>
          )
        ) : null}
      </div>
    </section>
  );
}

function FreePortFinder() {
  const [start, setStart] = useState('8000');
  const [end, setEnd] = useState('9000');
  const [result, setResult] = useState<number | null>(null);
  const { busy, error, run } = useAsyncAction();
  const find = (event: FormEvent) => {
    event.preventDefault();
    setResult(null);
    void run(async () => {
      const response = await api.get<PortAvailableResponse>('/ports/available', { query: { start, end } });
      setResult(response.availablePort);
    });
  };
  return (
    <section className="card card-pad">
      <form className="stack" onSubmit={find}>
        <h2>Find a free port</h2>
        <div className="row range-row">
          <TextField
            id="free-start"
            label="From"
            inputMode="numeric"
            value={start}
            onChange={(event) => setStart(event.target.value.trim())}
          />
          <TextField id="free-end" label="To" inputMode="numeric" value={end} onChange={(event) => setEnd(event.target.value.trim())} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Searching…' : 'Find'}
          </button>
        </div>
        <div aria-live="polite">
          {result !== null ? (
            <div className="notice notice-success" data-testid="free-port">
              <div className="row-between">
                <span>
                  Port <strong className="mono">{result}</strong> is free.
                </span>
                <CopyButton text={String(result)} what={`port ${result}`} />
              </div>
            </div>
          ) : null}
          <ErrorBanner error={error} />
        </div>
      </form>
    </section>
  );
}
