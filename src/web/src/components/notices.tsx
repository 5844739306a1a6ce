import type { ReactNode } from 'react';
import { describeError } from '../api/api-error.js';
import type { ApiData } from '../hooks/use-api-data.js';

export function ErrorNotice({ title, details, action }: { title: string; details?: string; action?: ReactNode }) {
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title}</strong>
      {details ? <span>{details}</span> : null}
      {action}
    </div>
  );
}

/** A failure from any thrown value, in the words the server gave; nothing while there is none. */
export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (error === null || error === undefined) return null;
  const { title, details } = describeError(error);
  return (
    <ErrorNotice
      title={title}
      details={details}
      action={
        onRetry ? (
          <button type="button" className="button button-small" onClick={onRetry}>
            Try again
          </button>
        ) : undefined
      }
    />
  );
}

/**
 * Stands in for a resource's data while there is none to show: a spinner while it loads, or the
 * error with "Try again" (in a card's padding with `inCard`). Renders nothing once data arrived.
 */
export function ResourceStatus({
  resource,
  loadingLabel,
  inCard = false,
}: {
  resource: Pick<ApiData<unknown>, 'data' | 'error' | 'reload'>;
  loadingLabel?: string;
  inCard?: boolean;
}) {
  if (resource.error) {
    const banner = <ErrorBanner error={resource.error} onRetry={() => void resource.reload()} />;
    return inCard ? <div className="card-body">{banner}</div> : banner;
  }
  return resource.data === null ? <LoadingBlock label={loadingLabel} /> : null;
}

export function InfoNotice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'warning' | 'success' }) {
  return <div className={`notice notice-${tone}`}>{children}</div>;
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span className="spinner-wrap" role="status">
      <span className="spinner" aria-hidden="true" />
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

export function LoadingBlock({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading-block" role="status">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <strong>{title}</strong>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}
