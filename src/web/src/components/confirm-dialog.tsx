import type { ReactNode } from 'react';
import { useAsyncAction } from '../hooks/use-async-action.js';
import { Dialog, DialogActions } from './dialog.js';
import { ErrorBanner } from './notices.js';

type ConfirmDialogProps = {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
};

/** Asks before a destructive action, runs it, and stays open showing the error if it fails. */
export function ConfirmDialog({ title, children, confirmLabel, danger = false, onConfirm, onClose }: ConfirmDialogProps) {
  const { busy, error, run } = useAsyncAction();
  const confirm = () =>
    run(async () => {
      await onConfirm();
      onClose();
    });
  return (
    <Dialog
      title={title}
      size="small"
      onClose={onClose}
      busy={busy}
      testId="confirm-dialog"
      footer={
        <DialogActions onCancel={onClose} busy={busy}>
          <button
            type="button"
            className={`button ${danger ? 'button-danger' : 'button-primary'}`}
            onClick={() => void confirm()}
            disabled={busy}
            data-autofocus
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </DialogActions>
      }
    >
      <div className="stack">
        {children}
        <ErrorBanner error={error} />
      </div>
    </Dialog>
  );
}
