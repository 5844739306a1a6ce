// Port manager: every used host port with its owner, a quick "is this port free?" check, and a
// finder for the next free port in a range.
import { useMemo, useState, type FormEvent } from 'react';
import { describeError } from '../api/api-error.js';
import { api } from '../api/http-client.js';
import type { PortAvailableResponse, PortDetail, PortsCheckResponse } from '../api/wire-types.js';
import { CopyIcon, RefreshIcon, SearchIcon } from '../components/icons.js';
import { EmptyState, ErrorFromValue, ErrorNotice, InfoNotice, LoadingBlock } from '../components/notices.js';
import { toast } from '../components/toaster.js';
import { useApiData } from '../hooks/use-api-data.js';

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
      <div className="page-header">
        <div>
          <h1>Ports</h1>
          <p>Host ports in use by containers and by programs on the host, and free ones for your next app.</p>
        </div>
        <button type="button" className="button" onClick={() => void ports.reload()}>
          <RefreshIcon size={16} /> Refresh
        </button>
      </div>
      <div className="grid-2" style={{ marginBottom: 16 }}>
        <PortChecker used={ports.data?.usedPorts ?? null} details={ports.data?.details ?? []} />
        <FreePortFinder />
      </div>
      <section className="card">
        <div className="card-header">
          <h2>Used ports {ports.data ? <span className="muted small">({ports.data.usedPorts.length})</span> : null}</h2>
          <div className="row">
            <div className="search-box" style={{ flexBasis: 200 }}>
              <SearchIcon />
              <label htmlFor="ports-filter" className="visually-hidden">
                Filter ports
              </label>
              <input
                id="ports-filter"
                className="input"
                type="search"
                placeholder="Filter"
                value={filter}
                onChange={(event) => setFilter(event.target.value)}
              />
            </div>
            <label htmlFor="ports-source" className="visually-hidden">
              Owner
            </label>
            <select
              id="ports-source"
              className="select"
              style={{ width: 'auto' }}
              value={source}
              onChange={(event) => setSource(event.target.value as typeof source)}
            >
              <option value="all">Docker and host</option>
              <option value="docker">Docker only</option>
              <option value="host">Host only</option>
            </select>
          </div>
        </div>
        {ports.error && !ports.data ? (
          <div className="card-body">
            <ErrorFromValue error={ports.error} onRetry={() => void ports.reload()} />
          </div>
        ) : null}
        {!ports.data && !ports.error ? <LoadingBlock /> : null}
        {ports.data && rows.length === 0 ? (
          <div className="card-body">
            <EmptyState title="No ports match" />
          </div>
        ) : null}
        {ports.data && rows.length > 0 ? (
          <div className="table-wrap">
            <table className="table" data-testid="ports-table">
              <thead>
                <tr>
                  <th scope="col">Port</th>
                  <th scope="col">Protocol</th>
                  <th scope="col" className="hide-mobile">
                    Address
                  </th>
                  <th scope="col">Used by</th>
                  <th scope="col" className="hide-mobile">
                    App
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={`${row.port}/${row.protocol}/${row.source}/${row.container ?? ''}/${row.address ?? ''}`}>
                    <td className="mono">{row.port}</td>
                    <td>{row.protocol}</td>
                    <td className="mono small hide-mobile">{row.address ?? '—'}</td>
                    <td>
                      <span className={`badge ${row.source === 'docker' ? 'badge-accent' : ''}`}>{row.source}</span>{' '}
                      {row.container ? <span className="mono small">{row.container.replace(/^\//, '')}</span> : null}
                    </td>
                    <td className="hide-mobile">{row.appId ?? <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
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
      <div className="field">
        <label htmlFor="port-check">Port</label>
        <input
          id="port-check"
          className="input"
          inputMode="numeric"
          placeholder="e.g. 8080"
          value={value}
          onChange={(event) => setValue(event.target.value.trim())}
        />
      </div>
      <div aria-live="polite">
        {value && !valid ? <span className="field-error">A port is a number from 1 to 65535.</span> : null}
        {valid && used ? (
          inUse ? (
            <InfoNotice tone="warning">
              Port {port} is in use
              {owners.length > 0
                ? ` by ${owners.map((row) => row.appId ?? row.container?.replace(/^\//, '') ?? (row.source === 'host' ? 'a host program' : 'a container')).join(', ')}`
                : ''}
              .
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
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const find = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const response = await api.get<PortAvailableResponse>('/ports/available', { query: { start, end } });
      setResult(response.availablePort);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const failure = error ? describeError(error) : null;
  return (
    <section className="card card-pad">
      <form className="stack" onSubmit={(event) => void find(event)}>
        <h2>Find a free port</h2>
        <div className="row" style={{ alignItems: 'flex-end' }}>
          <div className="field" style={{ flex: 1 }}>
            <label htmlFor="free-start">From</label>
            <input
              id="free-start"
              className="input"
              inputMode="numeric"
              value={start}
              onChange={(event) => setStart(event.target.value.trim())}
            />
          </div>
          <div className="field" style={{ flex: 1 }}>
            <label htmlFor="free-end">To</label>
            <input
              id="free-end"
              className="input"
              inputMode="numeric"
              value={end}
              onChange={(event) => setEnd(event.target.value.trim())}
            />
          </div>
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
                <button
                  type="button"
                  className="button button-small"
                  onClick={() =>
                    void navigator.clipboard.writeText(String(result)).then(
                      () => toast('success', `Copied ${result}`),
                      () => toast('error', 'Copy failed', 'Your browser blocked clipboard access.'),
                    )
                  }
                >
                  <CopyIcon size={14} /> Copy
                </button>
              </div>
            </div>
          ) : null}
          {failure ? <ErrorNotice title={failure.title} details={failure.details} /> : null}
        </div>
      </form>
    </section>
  );
}
