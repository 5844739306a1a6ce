// The signed-in user's own settings: password, sessions, API keys.
import { useState, type FormEvent } from 'react';
import { describeError } from '../../api/api-error.js';
import { authSession } from '../../api/auth-session.js';
import { api } from '../../api/http-client.js';
import type { ApiKey, Session } from '../../api/wire-types.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { Dialog } from '../../components/dialog.js';
import { CopyIcon } from '../../components/icons.js';
import { EmptyState, ErrorFromValue, ErrorNotice, InfoNotice, LoadingBlock } from '../../components/notices.js';
import { toast } from '../../components/toaster.js';
import { useApiData } from '../../hooks/use-api-data.js';
import { formatDateTime, formatRelative } from '../../lib/format.js';
import { Link } from '../../lib/router.js';

const TABS = [
  { id: 'password', label: 'Password' },
  { id: 'sessions', label: 'Sessions' },
  { id: 'api-keys', label: 'API keys' },
];

export function AccountPage({ tab }: { tab: string }) {
  const session = authSession.get();
  const user = session.status === 'signed-in' ? session.user : null;
  const active = TABS.some((item) => item.id === tab) ? tab : 'password';
  return (
    <div>
      <div className="page-header">
        <div>
          <h1>Account</h1>
          <p>
            Signed in as <strong>{user?.username}</strong> ({user?.role})
          </p>
        </div>
      </div>
      <nav className="tabs" aria-label="Account sections">
        {TABS.map((item) => (
          <Link key={item.id} to={`/account/${item.id}`} className="tab" aria-current={active === item.id ? 'page' : undefined}>
            {item.label}
          </Link>
        ))}
      </nav>
      {active === 'password' ? <ChangePassword /> : null}
      {active === 'sessions' ? <Sessions /> : null}
      {active === 'api-keys' ? <ApiKeys /> : null}
    </div>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const mismatch = confirm.length > 0 && confirm !== next;
  const session = authSession.get();
  const username = session.status === 'signed-in' ? session.user.username : '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (next !== confirm) return;
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await api.post('/auth/change-password', { currentPassword: current, newPassword: next });
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const failure = error ? describeError(error) : null;
  return (
    <section className="card card-pad" style={{ maxWidth: 520 }}>
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <h2>Change password</h2>
        <p className="muted small">Your other sessions are signed out when the password changes.</p>
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        <div className="field">
          <label htmlFor="current-password">Current password</label>
          <input
            id="current-password"
            className="input"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(event) => setCurrent(event.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor="new-password">New password</label>
          <input
            id="new-password"
            className="input"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(event) => setNext(event.target.value)}
            required
            minLength={8}
            aria-describedby="new-password-help"
          />
          <span id="new-password-help" className="field-help">
            At least 8 characters (the server may ask for more).
          </span>
        </div>
        <div className="field">
          <label htmlFor="confirm-password">Repeat new password</label>
          <input
            id="confirm-password"
            className="input"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(event) => setConfirm(event.target.value)}
            required
            aria-invalid={mismatch || undefined}
            aria-describedby={mismatch ? 'confirm-error' : undefined}
          />
          {mismatch ? (
            <span id="confirm-error" className="field-error">
              The passwords differ.
            </span>
          ) : null}
        </div>
        {failure ? <ErrorNotice title={failure.title} details={failure.details} /> : null}
        {done ? <InfoNotice tone="success">Password changed. Other sessions were signed out.</InfoNotice> : null}
        <div>
          <button type="submit" className="button button-primary" disabled={busy || mismatch || !current || !next}>
            {busy ? 'Saving…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}

function describeAgent(agent: string | null): string {
  if (!agent) return 'Unknown client';
  const browser = /Firefox\/[\d.]+|Edg\/[\d.]+|Chrome\/[\d.]+|Safari\/[\d.]+|curl\/[\d.]+|node/i.exec(agent)?.[0] ?? agent.slice(0, 40);
  const os = /Windows|Mac OS X|Android|iPhone|iPad|Linux/i.exec(agent)?.[0];
  return os ? `${browser.split('/')[0]} on ${os}` : (browser.split('/')[0] ?? browser);
}

function Sessions() {
  const sessions = useApiData((signal) => api.get<{ sessions: Session[] }>('/auth/sessions', { signal }), []);
  const [revoking, setRevoking] = useState<Session | null>(null);
  return (
    <section className="card">
      <div className="card-header">
        <div>
          <h2>Active sessions</h2>
          <p className="muted small">Every browser or script signed in as you. Revoke one you do not recognise.</p>
        </div>
      </div>
      {sessions.error ? (
        <div className="card-body">
          <ErrorFromValue error={sessions.error} onRetry={() => void sessions.reload()} />
        </div>
      ) : null}
      {!sessions.data && !sessions.error ? <LoadingBlock /> : null}
      {sessions.data ? (
        <div className="table-wrap">
          <table className="table" data-testid="sessions-table">
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col" className="hide-mobile">
                  Address
                </th>
                <th scope="col">Last active</th>
                <th scope="col" className="hide-mobile">
                  Expires
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.sessions.map((item) => (
                <tr key={item.id}>
                  <td>
                    <div title={item.userAgent ?? ''}>{describeAgent(item.userAgent)}</div>
                    <div className="muted small">signed in {formatDateTime(item.createdAt)}</div>
                    {item.current ? <span className="badge badge-success">this browser</span> : null}
                  </td>
                  <td className="mono small hide-mobile">{item.ip ?? '—'}</td>
                  <td>{formatRelative(item.lastSeenAt)}</td>
                  <td className="hide-mobile">{formatDateTime(item.expiresAt)}</td>
                  <td className="actions">
                    <button type="button" className="button button-small" onClick={() => setRevoking(item)}>
                      {item.current ? 'Sign out' : 'Revoke'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title={revoking.current ? 'Sign out this browser?' : 'Revoke this session?'}
          confirmLabel={revoking.current ? 'Sign out' : 'Revoke'}
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api.delete(`/auth/sessions/${encodeURIComponent(revoking.id)}`);
            if (revoking.current) {
              authSession.signOut('You signed out this browser.');
              return;
            }
            toast('success', 'Session revoked');
            await sessions.reload();
          }}
        >
          <p>
            {describeAgent(revoking.userAgent)} from {revoking.ip ?? 'an unknown address'}{' '}
            {revoking.current ? 'is this browser: you will need to sign in again.' : 'will have to sign in again.'}
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button button-small"
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => {
            setCopied(true);
            window.setTimeout(() => setCopied(false), 2000);
          },
          () => toast('error', 'Copy failed', 'Select the text and copy it by hand.'),
        );
      }}
    >
      <CopyIcon size={14} /> {copied ? 'Copied' : label}
    </button>
  );
}

function ApiKeys() {
  const keys = useApiData((signal) => api.get<{ apiKeys: ApiKey[] }>('/auth/api-keys', { signal }), []);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  return (
    <section className="card">
      <div className="card-header">
        <div>
          <h2>API keys</h2>
          <p className="muted small">
            For scripts and mobile apps: send <code>Authorization: Bearer hlr_…</code>. A key is shown once when created.
          </p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
          Create API key
        </button>
      </div>
      {keys.error ? (
        <div className="card-body">
          <ErrorFromValue error={keys.error} onRetry={() => void keys.reload()} />
        </div>
      ) : null}
      {!keys.data && !keys.error ? <LoadingBlock /> : null}
      {keys.data && keys.data.apiKeys.length === 0 ? (
        <div className="card-body">
          <EmptyState title="No API keys">Create one to call the API from a script.</EmptyState>
        </div>
      ) : null}
      {keys.data && keys.data.apiKeys.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="api-keys-table">
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Key</th>
                <th scope="col" className="hide-mobile">
                  Role
                </th>
                <th scope="col" className="hide-mobile">
                  Last used
                </th>
                <th scope="col" className="hide-mobile">
                  Expires
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.apiKeys.map((key) => (
                <tr key={key.id} data-testid="api-key-row" data-key-label={key.label}>
                  <td>
                    <strong>{key.label}</strong>
                    <div className="muted small">created {formatDateTime(key.createdAt)}</div>
                  </td>
                  <td className="mono small">{key.prefix}…</td>
                  <td className="hide-mobile">{key.role}</td>
                  <td className="hide-mobile">{formatRelative(key.lastUsed)}</td>
                  <td className="hide-mobile">{key.expiresAt ? formatDateTime(key.expiresAt) : 'never'}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => setRevoking(key)}
                      aria-label={`Revoke API key ${key.label}`}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {creating ? <CreateKeyDialog onClose={() => setCreating(false)} onCreated={() => void keys.reload()} /> : null}
      {revoking ? (
        <ConfirmDialog
          title={`Revoke “${revoking.label}”?`}
          confirmLabel="Revoke key"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api.delete(`/auth/api-keys/${encodeURIComponent(revoking.id)}`);
            toast('success', `Revoked ${revoking.label}`);
            await keys.reload();
          }}
        >
          <p>Scripts using the key {revoking.prefix}… stop working at once. This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function CreateKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const session = authSession.get();
  const ownRole = session.status === 'signed-in' ? session.user.role : 'viewer';
  const roles = (['viewer', 'user', 'admin'] as const).slice(0, ['viewer', 'user', 'admin'].indexOf(ownRole) + 1);
  const [label, setLabel] = useState('');
  const [role, setRole] = useState<string>(ownRole);
  const [days, setDays] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ key: string; label: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await api.post<{ key: string; apiKey: ApiKey }>('/auth/api-keys', {
        label: label.trim(),
        role,
        ...(days ? { expiresInDays: Number(days) } : {}),
      });
      setCreated({ key: response.key, label: response.apiKey.label });
      onCreated();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Dialog
        title="API key created"
        size="medium"
        onClose={onClose}
        testId="api-key-created"
        footer={
          <button type="button" className="button button-primary" onClick={onClose}>
            Done
          </button>
        }
      >
        <div className="stack">
          <InfoNotice tone="warning">
            <strong>Copy this key now.</strong> It is shown only once; HomelabARR stores only a hash of it.
          </InfoNotice>
          <div className="secret-box">
            <code data-testid="api-key-secret">{created.key}</code>
            <CopyButton text={created.key} />
          </div>
          <p className="muted small">
            Try it:{' '}
            <code>
              curl -H "Authorization: Bearer {created.key.slice(0, 12)}…" {location.origin}/api/containers
            </code>
          </p>
        </div>
      </Dialog>
    );
  }
  const failure = error ? describeError(error) : null;
  return (
    <Dialog
      title="Create API key"
      size="medium"
      onClose={onClose}
      busy={busy}
      testId="create-api-key"
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" form="create-key-form" className="button button-primary" disabled={busy || !label.trim()}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </>
      }
    >
      <form id="create-key-form" className="stack" onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="key-label">Label</label>
          <input
            id="key-label"
            className="input"
            value={label}
            maxLength={100}
            onChange={(event) => setLabel(event.target.value)}
            placeholder="e.g. nzb360 on my phone"
            required
            autoFocus
          />
        </div>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="key-role">Role</label>
            <select
              id="key-role"
              className="select"
              value={role}
              onChange={(event) => setRole(event.target.value)}
              aria-describedby="key-role-help"
            >
              {roles.map((item) => (
                <option key={item} value={item}>
                  {item}
                </option>
              ))}
            </select>
            <span id="key-role-help" className="field-help">
              Never more than your own role.
            </span>
          </div>
          <div className="field">
            <label htmlFor="key-days">Expires after (days)</label>
            <input
              id="key-days"
              className="input"
              inputMode="numeric"
              value={days}
              onChange={(event) => setDays(event.target.value.replace(/\D/g, ''))}
              placeholder="never"
              aria-describedby="key-days-help"
            />
            <span id="key-days-help" className="field-help">
              Empty: the key does not expire.
            </span>
          </div>
        </div>
        {failure ? <ErrorNotice title={failure.title} details={failure.details} /> : null}
      </form>
    </Dialog>
  );
}
