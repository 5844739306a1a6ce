// A dialog that is one form: fields, Cancel and a submit button in the footer, the failure shown
// under the fields, and the dialog kept open (Escape disabled) while the request runs.
import { useId, type ReactNode } from 'react';
import { useAsyncAction } from '../hooks/use-async-action.js';
import { Dialog, DialogActions } from './dialog.js';
import { ErrorBanner } from './notices.js';

type FormDialogProps = {
  title: ReactNode;
  description?: ReactNode;
  size?: 'small' | 'medium' | 'large';
  testId?: string;
  submitLabel: string;
  /** The submit button's text while the request runs, e.g. "Creating…". */
  busyLabel: string;
  /** False keeps the submit button disabled (e.g. a required field is still empty). */
  canSubmit?: boolean;
  /** Throws to keep the dialog open with the error; closing on success is up to the caller. */
  onSubmit: () => Promise<void>;
  onClose: () => void;
  children: ReactNode;
};

export function FormDialog({
  title,
  description,
  size,
  testId,
  submitLabel,
  busyLabel,
  canSubmit = true,
  onSubmit,
  onClose,
  children,
}: FormDialogProps) {
  const formId = useId();
  const { busy, error, run } = useAsyncAction();
  return (
    <Dialog
      title={title}
      description={description}
      size={size}
      onClose={onClose}
      busy={busy}
      testId={testId}
      footer={
        <DialogActions onCancel={onClose} busy={busy}>
          <button type="submit" form={formId} className="button button-primary" disabled={busy || !canSubmit}>
            {busy ? busyLabel : submitLabel}
          </button>
        </DialogActions>
      }
    >
      <form
        id={formId}
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void run(onSubmit);
        }}
      >
        {children}
        <ErrorBanner error={error} />
      </form>
    </Dialog>
  );
}
