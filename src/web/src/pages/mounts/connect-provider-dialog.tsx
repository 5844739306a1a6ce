// Connects a storage provider: a credentials form built from the provider's declared fields, or
// the OAuth flow (open the provider's sign-in page, then paste the code or the address it sent you to).
import { useEffect, useState, type FormEvent } from 'react';
import { describeError } from '../../api/api-error.js';
import { api } from '../../api/http-client.js';
import type { AuthStartResult, AuthStoredResult, ProviderInfo } from '../../api/wire-types.js';
import { Dialog } from '../../components/dialog.js';
import { ExternalIcon } from '../../components/icons.js';
import { ErrorNotice, InfoNotice } from '../../components/notices.js';
import { toast } from '../../components/toaster.js';
import { isDashboardCallback, parseOutcome, rememberPending, RESULT_KEY } from './oauth-handoff.js';

type Props = { base: string; provider: ProviderInfo; onClose: () => void; onConnected: () => void };

export function ConnectProviderDialog(props: Props) {
  return props.provider.authType === 'oauth' ? <OAuthDialog {...props} /> : <CredentialsDialog {...props} />;
}

function CredentialsDialog({ base, provider, onClose, onConnected }: Props) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const credentials = Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ''));
      await api.post<AuthStoredResult>(`${base}/auth/api-key`, { provider: provider.id, credentials });
      toast('success', `${provider.name} connected`, 'Mount it to make it available to your apps.');
      onConnected();
      onClose();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const failure = error ? describeError(error) : null;
  return (
    <Dialog
      title={`Connect ${provider.name}`}
      description={
        provider.configured
          ? 'Saving replaces the stored settings.'
          : 'The settings are stored by rclone in the mount container; secrets are never shown again.'
      }
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" form="provider-credentials" className="button button-primary" disabled={busy}>
            {busy ? 'Checking…' : 'Save and connect'}
          </button>
        </>
      }
    >
      <form id="provider-credentials" className="stack" onSubmit={(event) => void submit(event)}>
        {provider.note ? <InfoNotice>{provider.note}</InfoNotice> : null}
        <div className="form-grid">
          {provider.credentialFields.map((field, index) => (
            <div key={field.name} className="field">
              <label htmlFor={`cred-${field.name}`}>
                {field.name}
                {field.required ? <span aria-hidden="true"> *</span> : null}
              </label>
              <input
                id={`cred-${field.name}`}
                className="input"
                type={field.secret ? 'password' : 'text'}
                autoComplete={field.secret ? 'new-password' : 'off'}
                spellCheck={false}
                required={field.required}
                value={values[field.name] ?? ''}
                onChange={(event) => setValues((current) => ({ ...current, [field.name]: event.target.value }))}
                aria-describedby={field.description ? `cred-${field.name}-help` : undefined}
                autoFocus={index === 0}
              />
              {field.description ? (
                <span id={`cred-${field.name}-help`} className="field-help">
                  {field.description}
                </span>
              ) : null}
            </div>
          ))}
        </div>
        {failure ? <ErrorNotice title={failure.title} details={failure.details} /> : null}
      </form>
    </Dialog>
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

function OAuthDialog({ base, provider, onClose, onConnected }: Props) {
  const [started, setStarted] = useState<AuthStartResult['data'] | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // When the provider redirects to this dashboard, the other tab finishes the sign-in and reports here.
  useEffect(() => {
    if (!started) return;
    const onStorage = (event: StorageEvent) => {
      if (event.key !== RESULT_KEY) return;
      const outcome = parseOutcome(event.newValue);
      if (!outcome || outcome.state !== started.state) return;
      if (outcome.ok) {
        toast('success', `${provider.name} connected`, 'Mount it to make it available to your apps.');
        onConnected();
        onClose();
      } else {
        setError(new Error(outcome.error ?? 'The sign-in failed'));
      }
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [started, provider.name, onConnected, onClose]);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const response = await api.post<AuthStartResult>(`${base}/auth/start`, { provider: provider.id });
      setStarted(response.data);
      rememberPending({ state: response.data.state, base, provider: provider.id, providerName: provider.name });
      window.open(response.data.auth_url, '_blank', 'noopener,noreferrer');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const complete = async (event: FormEvent) => {
    event.preventDefault();
    if (!started) return;
    setBusy(true);
    setError(null);
    try {
      const parsed = parseCode(code, started.state);
      await api.post<AuthStoredResult>(`${base}/auth/complete`, { provider: provider.id, auth_code: parsed.code, state: parsed.state });
      toast('success', `${provider.name} connected`, 'Mount it to make it available to your apps.');
      onConnected();
      onClose();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  const failure = error ? describeError(error) : null;
  return (
    <Dialog
      title={`Connect ${provider.name}`}
      description="Sign in at the provider and allow access; HomelabARR stores the token in rclone's configuration."
      onClose={onClose}
      busy={busy}
      footer={
        started && !isDashboardCallback(started.redirect_uri) ? (
          <>
            <button type="button" className="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="submit" form="oauth-complete" className="button button-primary" disabled={busy || !code.trim()}>
              {busy ? 'Connecting…' : 'Finish connecting'}
            </button>
          </>
        ) : (
          <>
            <button type="button" className="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="button" className="button button-primary" onClick={() => void start()} disabled={busy}>
              {busy ? 'Starting…' : started ? 'Open the sign-in page again' : `Sign in with ${provider.name}`}
            </button>
          </>
        )
      }
    >
      <div className="stack">
        {provider.note ? <InfoNotice>{provider.note}</InfoNotice> : null}
        {started && isDashboardCallback(started.redirect_uri) ? (
          <div className="stack" data-testid="oauth-waiting">
            <p>
              A new tab opened with {provider.name}’s sign-in page. Allow access there: you come back to this dashboard, which finishes
              connecting. If no tab opened,{' '}
              <a href={started.auth_url} target="_blank" rel="noreferrer noopener">
                open the sign-in page <ExternalIcon size={12} />
              </a>
              .
            </p>
            <LoadingInline label={`Waiting for ${provider.name}…`} />
          </div>
        ) : null}
        {started && !isDashboardCallback(started.redirect_uri) ? (
          <form id="oauth-complete" className="stack" onSubmit={(event) => void complete(event)}>
            <ol className="stack" style={{ paddingLeft: 18, margin: 0 }}>
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
            <div className="field">
              <label htmlFor="oauth-code">Code or address</label>
              <input
                id="oauth-code"
                className="input"
                value={code}
                onChange={(event) => setCode(event.target.value)}
                spellCheck={false}
                autoComplete="off"
                placeholder={`${started.redirect_uri}?code=…`}
                autoFocus
              />
              <span className="field-help">The sign-in link is valid until {new Date(started.expiresAt).toLocaleTimeString()}.</span>
            </div>
          </form>
        ) : null}
        {started ? null : <p>You will be sent to {provider.name} to sign in. Come back to this tab afterwards.</p>}
        {failure ? <ErrorNotice title={failure.title} details={failure.details} /> : null}
      </div>
    </Dialog>
  );
}

function LoadingInline({ label }: { label: string }) {
  return (
    <span className="row muted" role="status">
      <span className="spinner" aria-hidden="true" /> {label}
    </span>
  );
}
