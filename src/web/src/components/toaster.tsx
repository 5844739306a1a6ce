// Short confirmations and failures of actions, announced to screen readers.
import { useSyncExternalStore } from 'react';
import { describeError } from '../api/api-error.js';
import { CloseIcon } from './dialog.js';

export type Toast = { id: number; tone: 'success' | 'error' | 'info'; title: string; details?: string };

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit(): void {
  for (const listener of listeners) listener();
}

function dismiss(id: number): void {
  toasts = toasts.filter((toast) => toast.id !== id);
  emit();
}

export function toast(tone: Toast['tone'], title: string, details?: string): void {
  const id = nextId++;
  toasts = [...toasts.slice(-3), { id, tone, title, details }];
  emit();
  window.setTimeout(() => dismiss(id), tone === 'error' ? 9000 : 4500);
}

/**
 * Reports a failed action. With a title ("Could not star Sonarr") the error's own message becomes
 * the details when it has none.
 */
export function toastError(error: unknown, title?: string): void {
  const described = describeError(error);
  if (title) toast('error', title, described.details || described.title);
  else toast('error', described.title, described.details || undefined);
}

export function Toaster() {
  const items = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => toasts,
  );
  return (
    <div className="toaster" aria-live="polite" aria-relevant="additions">
      {items.map((item) => (
        <div key={item.id} className={`toast toast-${item.tone}`} role={item.tone === 'error' ? 'alert' : 'status'}>
          <div>
            <strong>{item.title}</strong>
            {item.details ? <div className="toast-details">{item.details}</div> : null}
          </div>
          <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => dismiss(item.id)}>
            <CloseIcon />
          </button>
        </div>
      ))}
    </div>
  );
}
