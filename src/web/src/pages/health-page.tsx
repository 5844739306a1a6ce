// Health of the server and its dependencies, with the troubleshooting hints the server computes.
import { authSession } from '../api/auth-session.js';
import { api } from '../api/http-client.js';
import type { Health } from '../api/wire-types.js';
import { DataTable } from '../components/data-table.js';
import { RefreshIcon } from '../components/icons.js';
import { InfoNotice, ResourceStatus } from '../components/notices.js';
import { CardHeader, PageHeader } from '../components/section-header.js';
import { StatCard } from '../components/stat-card.js';
import { useApiData } from '../hooks/use-api-data.js';
import { formatDateTime, formatDuration } from '../lib/format.js';

/** "20.10.24" of "20.10.24+dfsg1": the figure fits its card, the distribution's build goes in the detail line. */
function releaseOf(version: string | null): string {
  return (version ?? '').replace(/^v/, '').split('+')[0] ?? '';
}

function buildOf(version: string | null): string | null {
  return version?.includes('+') ? `build ${version.replace(/^v/, '')}` : null;
}

/** true: working, false: broken, null: working with a caveat. */
function status(ok: boolean | null): 'ok' | 'warning' | 'error' {
  return ok === null ? 'warning' : ok ? 'ok' : 'error';
}

export function HealthPage() {
  const health = useApiData((signal) => api.get<Health>('/health', { signal, acceptStatuses: [503] }), [], { pollMs: 10000 });
  const session = authSession.get();
  const isAdmin = session.status === 'signed-in' && session.user.role === 'admin';
  const data = health.data;
  return (
    <div>
      <PageHeader
        title="Health"
        description="Whether Docker, Compose, the database and the catalog are working, and what to do when they are not."
        actions={
          <button type="button" className="button" onClick={() => void health.reload()}>
            <RefreshIcon size={16} /> Check again
          </button>
        }
      />
      {data ? null : <ResourceStatus resource={health} />}
      {data ? (
        <div className="stack-large">
          <div
            className={`notice ${data.status === 'healthy' ? 'notice-success' : data.status === 'degraded' ? 'notice-warning' : 'notice-error'}`}
            data-testid="health-status"
          >
            <strong>
              {data.status === 'healthy' ? 'Everything is working' : data.status === 'degraded' ? 'Working with problems' : 'Not working'} (
              {data.status})
            </strong>
            <span>
              HomelabARR CE {data.version} · up {formatDuration(data.uptime)} · checked {formatDateTime(data.timestamp)}
            </span>
          </div>
          <div className="stat-grid">
            <StatCard
              label="Docker"
              value={data.docker.status === 'connected' ? `v${releaseOf(data.docker.version)}` : 'Unavailable'}
              status={status(data.docker.status === 'connected')}
              detail={
                data.docker.message ??
                ([data.docker.apiVersion ? `API ${data.docker.apiVersion}` : null, buildOf(data.docker.version)]
                  .filter(Boolean)
                  .join(' · ') ||
                  undefined)
              }
            />
            <StatCard
              label="Compose"
              value={data.docker.compose.available ? `v${(data.docker.compose.version ?? '').replace(/^v/, '')}` : 'Not found'}
              status={status(data.docker.compose.available)}
            />
            <StatCard
              label="Database"
              value={data.database.status === 'ok' ? 'OK' : 'Error'}
              status={status(data.database.status === 'ok')}
            />
            <StatCard
              label="Catalog"
              value={`${data.catalog.apps} apps`}
              status={status(data.catalog.invalid === 0 ? true : null)}
              detail={data.catalog.invalid > 0 ? `${data.catalog.invalid} template(s) invalid` : 'All templates valid'}
            />
            <StatCard
              label="Authentication"
              value={data.auth.enabled ? 'Enabled' : 'Disabled'}
              status={status(data.auth.enabled ? true : null)}
            />
          </div>
          <section className="card">
            <CardHeader title="Troubleshooting" />
            <div className="card-body">
              {data.troubleshooting.length === 0 ? (
                <p className="muted">No problems found.</p>
              ) : (
                <ol className="stack numbered-list" data-testid="troubleshooting">
                  {data.troubleshooting.map((item) => (
                    <li key={item.problem}>
                      <strong>{item.problem}</strong>
                      <div className="muted pre-wrap">{item.fix}</div>
                    </li>
                  ))}
                </ol>
              )}
            </div>
          </section>
          {data.environment && (data.environment.errors.length > 0 || data.environment.warnings.length > 0) ? (
            <section className="card card-pad stack">
              <h2>Configuration</h2>
              {data.environment.errors.map((text) => (
                <InfoNotice key={text} tone="warning">
                  {text}
                </InfoNotice>
              ))}
              {data.environment.warnings.map((text) => (
                <InfoNotice key={text}>{text}</InfoNotice>
              ))}
            </section>
          ) : null}
          {data.catalogErrors && data.catalogErrors.length > 0 ? (
            <section className="card">
              <CardHeader title="Invalid templates" />
              <DataTable
                rows={data.catalogErrors}
                rowKey={(item) => item.file}
                columns={[
                  { header: 'Template', className: 'mono small break-anywhere', cell: (item) => item.file },
                  { header: 'Problem', cell: (item) => item.error },
                ]}
              />
            </section>
          ) : null}
          {data.platform ? (
            <section className="card">
              <CardHeader title="Platform" actions={<span className="muted small">visible to administrators</span>} />
              <div className="table-wrap">
                <table className="table">
                  <tbody>
                    <tr>
                      <th scope="row">Node.js</th>
                      <td>{data.platform.node}</td>
                    </tr>
                    <tr>
                      <th scope="row">System</th>
                      <td>
                        {data.platform.os} {data.platform.arch} {data.platform.kernel ?? ''}
                      </td>
                    </tr>
                    {data.paths ? (
                      <>
                        <tr>
                          <th scope="row">Data directory</th>
                          <td className="mono small">{data.paths.dataDir}</td>
                        </tr>
                        <tr>
                          <th scope="row">App folder</th>
                          <td className="mono small">{data.paths.appFolder}</td>
                        </tr>
                        <tr>
                          <th scope="row">Catalog roots</th>
                          <td className="mono small">{data.paths.catalog.join(', ')}</td>
                        </tr>
                      </>
                    ) : null}
                    {data.cors ? (
                      <tr>
                        <th scope="row">CORS origins</th>
                        <td>{data.cors.origins.length > 0 ? data.cors.origins.join(', ') : 'same origin only'}</td>
                      </tr>
                    ) : null}
                  </tbody>
                </table>
              </div>
            </section>
          ) : isAdmin ? null : (
            <p className="muted small">Administrators also see platform details and configuration warnings here.</p>
          )}
        </div>
      ) : null}
    </div>
  );
}
