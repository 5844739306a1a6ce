// Connects a storage provider: a credentials form built from the provider's declared fields, or
// the OAuth flow (open the provider's sign-in page, then paste the code or the address it sent you to).
import { useEffect, useId, useState } from 'react';
import { api } from '../../api/http-client.js';
import type { AuthStartResult, AuthStoredResult, ProviderInfo } from '../../api/wire-types.js';
import { Dialog, DialogActions } from '../../components/dialog.js';
import { TextField } from '../../components/field.js';
import { FormDialog } from '../../components/form-dialog.js';
import { ExternalIcon } from '../../components/icons.js';
import { ErrorBanner, InfoNotice } from '../../components/notices.js';
import { toast } from '../../components/toaster.js';
import { useAsyncAction } from '../../hooks/use-async-action.js';
import { isDashboardCallback, parseOutcome, rememberPending, RESULT_KEY } from './oauth-handoff.js';

type Props = { base: string; provider: ProviderInfo; onClose: () => void; onConnected: () => void };

export function ConnectProviderDialog(props: Props) {
  return props.provider.authType === 'oauth' ? <OAuthDialog {...props} /> : <CredentialsDialog {...props} />;
}

function finishConnecting({ provider, onConnected, onClose }: Props): void {
  toast('success', `${provider.name} connected`, 'Mount it to make it available to your apps.');
  onConnected();
  onClose();
}

function CredentialsDialog(props: Props) {
  const { base, provider, onClose } = props;
  const [values, setValues] = useState<Record<string, string>>({});
  return (
    <FormDialog
      title={`Connect ${provider.name}`}
      description={
        provider.configured
          ? 'Saving replaces the stored settings.'
          : 'The settings are stored by rclone in the mount container; secrets are never shown again.'
      }
      submitLabel="Save and connect"
      busyLabel="Checking…"
      onClose={onClose}
      onSubmit={async () => {
        const credentials = Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ''));
        await api.post<AuthStoredResult>(`${base}/auth/api-key`, { provider: provider.id, credentials });
        finishConnecting(props);
      }}
    >
      {provider.note ? <InfoNotice>{provider.note}</InfoNotice> : null}
      <div className="form-grid">
        {provider.credentialFields.map((field, index) => (
          <TextField
            key={field.name}
            id={`cred-${field.name}`}
            label={
              <>
                {field.name}
                {field.required ? <span aria-hidden="true"> *</span> : null}
              </>
            }
            help={field.description || undefined}
            type={field.secret ? 'password' : 'text'}
            autoComplete={field.secret ? 'new-password' : 'off'}
            spellCheck={false}
            required={field.required}
            value={values[field.name] ?? ''}
            onChange={(event) => setValues((current) => ({ ...current, [field.name]: event.target.value }))}
            autoFocus={index === 0}
          />
        ))}
      </div>
    </FormDialog>
  );
}

/** Accepts the bare code or the whole address the provider redirected to (?code=…&state=…). */
function parseCode(input: string, expectedState: string): { code: string; state: string } {
  const text = input.trim();
  try {
    const url = new URL(text);
    const code = url.searchParams.get('code');
    if (code) return { code, state: url.searchParams.get('state') ?? expectedState };
  } catch {
    // Not a URL: the user pasted the code itself.
  }
  return { code: text, state: expectedState };
}

function OAuthDialog(props: Props) {
  const { base, provider, onClose, onConnected } = props;
  const formId = useId();
  const [started, setStarted] = useState<AuthStartResult['data'] | null>(null);
  const [code, setCode] = useState('');
  const { busy, error, run, setError } = useAsyncAction();

  // When the provider redirects to this dashboard, the other tab finishes the sign-in and reports here.
  useEffect(() => {
    if (!started) return;
    const onStorage = (event: StorageEvent) => {
      if (event.key !== RESULT_KEY) return;
      const outcome = parseOutcome(event.newValue);
      if (!outcome || outcome.state !== started.state) return;
      if (outcome.ok) finishConnecting({ base, provider, onConnected, onClose });
      else setError(new Error(outcome.error ?? 'The sign-in failed'));
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [started, base, provider, onConnected, onClose, setError]);

  const start = () =>
    run(async () => {
      const response = await api.post<AuthStartResult>(`${base}/auth/start`, { provider: provider.id });
      setStarted(response.data);
      rememberPending({ state: response.data.state, base, provider: provider.id, providerName: provider.name });
      window.open(response.data.auth_url, '_blank', 'noopener,noreferrer');
    });

  const complete = () =>
    run(async () => {
      if (!started) return;
      const parsed = parseCode(code, started.state);
      await api.post<AuthStoredResult>(`${base}/auth/complete`, { provider: provider.id, auth_code: parsed.code, state: parsed.state });
      finishConnecting(props);
    });

  const pasteCode = started !== null && !isDashboardCallback(started.redirect_uri);
  return (
    <Dialog
      title={`Connect ${provider.name}`}
      description="Sign in at the provider and allow access; HomelabARR stores the token in rclone's configuration."
      onClose={onClose}
      busy={busy}
      footer={
        <DialogActions onCancel={onClose} busy={busy}>
          {pasteCode ? (
            <button type="submit" form={formId} className="button button-primary" disabled={busy || !code.trim()}>
              {busy ? 'Connecting…' : 'Finish connecting'}
            </button>
          ) : (
            <button type="button" className="button button-primary" onClick={() => void start()} disabled={busy}>
              {busy ? 'Starting…' : started ? 'Open the sign-in page again' : `Sign in with ${provider.name}`}
            </button>
          )}
        </DialogActions>
      }
    >
      <div className="stack">
        {provider.note ? <InfoNotice>{provider.note}</InfoNotice> : null}
        {started && !pasteCode ? (
          <div className="stack" data-testid="oauth-waiting">
            <p>
              A new tab opened with {provider.name}’s sign-in page. Allow access there: you come back to this dashboard, which finishes
              connecting. If no tab opened,{' '}
              <a href={started.auth_url} target="_blank" rel="noreferrer noopener">
                open the sign-in page <ExternalIcon size={12} />
              </a>
              .
            </p>
            <span className="row muted" role="status">
              <span className="spinner" aria-hidden="true" /> Waiting for {provider.name}…
            </span>
          </div>
        ) : null}
        {started && pasteCode ? (
          <form
            id={formId}
            className="stack"
            onSubmit={(event) => {
              event.preventDefault();
              void complete();
            }}
          >
            <ol className="stack numbered-list">
              <li>
                A new tab opened with {provider.name}’s sign-in page. If it did not,{' '}
                <a href={started.auth_url} target="_blank" rel="noreferrer noopener">
                  open it here <ExternalIcon size={12} />
                </a>
                .
              </li>
              <li>Allow access. The provider then sends you to {started.redirect_uri}.</li>
              <li>Copy the address of that page (or just its code) and paste it below.</li>
            </ol>
            <TextField
              id="oauth-code"
              label="Code or address"
              value={code}
              onChange={(event) => setCode(event.target.value)}
              spellCheck={false}
              autoComplete="off"
              placeholder={`${started.redirect_uri}?code=…`}
              autoFocus
              help={`The sign-in link is valid until ${new Date(started.expiresAt).toLocaleTimeString()}.`}
            />
          </form>
        ) : null}
        {started ? null : <p>You will be sent to {provider.name} to sign in. Come back to this tab afterwards.</p>}
        <ErrorBanner error={error} />
      </div>
    </Dialog>
  );
}
