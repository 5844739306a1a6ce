import type { ReactNode } from 'react';

type StatCardProps = {
  label: string;
  value: ReactNode;
  detail?: ReactNode;
  /** A coloured dot before the value: the value's words say the same for those who cannot see it. */
  status?: 'ok' | 'warning' | 'error';
  /** Keeps a long detail (a container name, a path) to one line, whole in its tooltip. */
  truncate?: boolean;
};

const DOT = { ok: 'dot-success', warning: 'dot-warning', error: 'dot-danger' } as const;

/** One figure of an overview row (rclone version, Docker engine, estimated cost). */
export function StatCard({ label, value, detail, status, truncate = false }: StatCardProps) {
  return (
    <div className="card stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">
        {status ? <span className={`dot ${DOT[status]}`} aria-hidden="true" /> : null}
        {value}
      </div>
      {detail ? (
        <div
          className={truncate ? 'muted small truncate' : 'muted small'}
          title={truncate && typeof detail === 'string' ? detail : undefined}
        >
          {detail}
        </div>
      ) : null}
    </div>
  );
}
