import type { ReactNode } from 'react';
import { describeError } from '../api/api-error.js';

export function ErrorNotice({ title, details, action }: { title: string; details?: string; action?: ReactNode }) {
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title}</strong>
      {details ? <span>{details}</span> : null}
      {action}
    </div>
  );
}

export function ErrorFromValue({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
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
