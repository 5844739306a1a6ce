// Logs of one container or one deployed app: tail size, follow (polling), search with highlights,
// timestamps, and download as a text file.
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../api/http-client.js';
import type { AppLogsResponse, ContainerLogsResponse } from '../../api/wire-types.js';
import { Dialog } from '../../components/dialog.js';
import { SearchField } from '../../components/field.js';
import { DownloadIcon, RefreshIcon } from '../../components/icons.js';
import { ResourceStatus } from '../../components/notices.js';
import { useApiData } from '../../hooks/use-api-data.js';

export type LogsTarget = { kind: 'container'; id: string; name: string } | { kind: 'app'; appId: string; name: string };
type Line = { key: number; timestamp: string | null; stream: string; message: string; source: string | null };

const TAIL_OPTIONS = [100, 500, 1000, 5000];

async function loadLines(target: LogsTarget, tail: number, signal: AbortSignal): Promise<Line[]> {
  if (target.kind === 'container') {
    const response = await api.get<ContainerLogsResponse>(`/containers/${encodeURIComponent(target.id)}/logs`, { query: { tail, timestamps: true }, signal });
    return response.lines.map((line, key) => ({ key, timestamp: line.timestamp, stream: line.stream, message: line.message, source: null }));
  }
  const response = await api.get<AppLogsResponse>(`/applications/${encodeURIComponent(target.appId)}/logs`, { query: { lines: tail }, signal });
  return response.entries.map((entry, key) => ({ key, timestamp: entry.timestamp, stream: entry.stream, message: entry.message, source: entry.service || entry.container }));
}

function highlight(text: string, term: string) {
  if (!term) return text;
  const parts: React.ReactNode[] = [];
  const lower = text.toLowerCase();
  let from = 0;
  let index = lower.indexOf(term);
  while (index >= 0) {
    parts.push(text.slice(from, index), <mark key={index}>{text.slice(index, index + term.length)}</mark>);
    from = index + term.length;
    index = lower.indexOf(term, from);
  }
  parts.push(text.slice(from));
  return parts;
}

export function LogsDialog({ target, onClose }: { target: LogsTarget; onClose: () => void }) {
  const [tail, setTail] = useState(500);
  const [follow, setFollow] = useState(true);
  const [showTimestamps, setShowTimestamps] = useState(false);
  const [search, setSearch] = useState('');
  const viewRef = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  const logs = useApiData((signal) => loadLines(target, tail, signal), [tail, target.kind === 'container' ? target.id : target.appId], { pollMs: follow ? 2000 : undefined });

  const term = search.trim().toLowerCase();
  const lines = logs.data ?? [];
  const visible = useMemo(() => (term ? lines.filter((line) => line.message.toLowerCase().includes(term) || (line.source ?? '').toLowerCase().includes(term)) : lines), [lines, term]);

  useEffect(() => {
    const element = viewRef.current;
    if (element && follow && stick.current) element.scrollTop = element.scrollHeight;
  }, [visible, follow]);

  const download = () => {
    const text = lines.map((line) => [line.timestamp, line.source, line.message].filter(Boolean).join(' ')).join('\n');
    const url = URL.createObjectURL(new Blob([`${text}\n`], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${target.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
  };

  return (
    <Dialog title={`Logs · ${target.name}`} size="large" onClose={onClose} testId="logs-dialog">
      <div className="stack">
        <div className="row">
          <SearchField
            id="logs-search"
            label="Search logs"
            className="logs-search"
            placeholder="Search logs"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
          <label className="row small">
            Last
            <select className="select select-inline" value={tail} onChange={(event) => setTail(Number(event.target.value))} aria-label="Number of lines">
              {TAIL_OPTIONS.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
            lines
          </label>
          <label className="checkbox small">
            <input type="checkbox" checked={follow} onChange={(event) => setFollow(event.target.checked)} /> Follow
          </label>
          <label className="checkbox small">
            <input type="checkbox" checked={showTimestamps} onChange={(event) => setShowTimestamps(event.target.checked)} /> Timestamps
          </label>
          <span className="grow" />
          <button type="button" className="icon-button" aria-label="Refresh logs" title="Refresh" onClick={() => void logs.reload()}>
            <RefreshIcon />
          </button>
          <button type="button" className="button button-small" onClick={download} disabled={lines.length === 0}>
            <DownloadIcon size={14} /> Download
          </button>
        </div>
        <ResourceStatus resource={logs} loadingLabel="Loading logs…" />
        {logs.data ? (
          <>
            <pre
              ref={viewRef}
              className="log-view log-large"
              tabIndex={0}
              aria-label="Log lines"
              data-testid="log-lines"
              onScroll={(event) => {
                const element = event.currentTarget;
                stick.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 8;
              }}
            >
              {visible.length === 0 ? <span className="ts">{term ? 'No line matches the search.' : 'No log output yet.'}</span> : null}
              {visible.map((line) => (
                <div key={line.key} className={line.stream === 'stderr' ? 'stderr' : undefined}>
                  {showTimestamps && line.timestamp ? <span className="ts">{line.timestamp} </span> : null}
                  {line.source ? <span className="ts">{line.source} | </span> : null}
                  {highlight(line.message, term)}
                </div>
              ))}
            </pre>
            <div className="muted small" aria-live="polite">
              {term ? `${visible.length} of ${lines.length} lines match` : `${lines.length} lines`}
              {follow ? ' · following' : ''}
            </div>
          </>
        ) : null}
      </div>
    </Dialog>
  );
}
