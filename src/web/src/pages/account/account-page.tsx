// The signed-in user's own settings: password, sessions, API keys.
import { useState, type FormEvent } from 'react';
import { authSession } from '../../api/auth-session.js';
import { api } from '../../api/http-client.js';
import type { ApiKey, Session } from '../../api/wire-types.js';
import { Badge } from '../../components/badge.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { CopyButton } from '../../components/copy-button.js';
import { DataTable } from '../../components/data-table.js';
import { Dialog } from '../../components/dialog.js';
import { NewPasswordField, SelectField, TextField } from '../../components/field.js';
import { FormDialog } from '../../components/form-dialog.js';
import { EmptyState, ErrorBanner, InfoNotice, ResourceStatus } from '../../components/notices.js';
import { CardHeader, PageHeader } from '../../components/section-header.js';
import { toast } from '../../components/toaster.js';
import { useApiData } from '../../hooks/use-api-data.js';
import { useAsyncAction } from '../../hooks/use-async-action.js';
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
      <PageHeader
        title="Account"
        description={
          <>
            Signed in as <strong>{user?.username}</strong> ({user?.role})
          </>
        }
      />
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
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAsyncAction();
  const mismatch = confirm.length > 0 && confirm !== next;
  const session = authSession.get();
  const username = session.status === 'signed-in' ? session.user.username : '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (next !== confirm) return;
    setDone(false);
    await run(async () => {
      await api.post('/auth/change-password', { currentPassword: current, newPassword: next });
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    });
  };
  return (
    <section className="card card-pad narrow-card">
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <h2>Change password</h2>
        <p className="muted small">Your other sessions are signed out when the password changes.</p>
        {/* Lets password managers file the new password under the right account. */}
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        <TextField
          id="current-password"
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
          required
        />
        <NewPasswordField
          id="new-password"
          label="New password"
          value={next}
          onChange={(event) => setNext(event.target.value)}
          help="At least 8 characters (the server may ask for more)."
        />
        <TextField
          id="confirm-password"
          label="Repeat new password"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(event) => setConfirm(event.target.value)}
          required
          error={mismatch ? 'The passwords differ.' : undefined}
        />
        <ErrorBanner error={error} />
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
      <CardHeader title="Active sessions" description="Every browser or script signed in as you. Revoke one you do not recognise." />
      <ResourceStatus resource={sessions} inCard />
      {sessions.data ? (
        <DataTable
          testId="sessions-table"
          rows={sessions.data.sessions}
          rowKey={(item) => item.id}
          columns={[
            {
              header: 'Client',
              cell: (item) => (
                <>
                  <div title={item.userAgent ?? ''}>{describeAgent(item.userAgent)}</div>
                  <div className="muted small">signed in {formatDateTime(item.createdAt)}</div>
                  {item.current ? <Badge tone="success">this browser</Badge> : null}
                </>
              ),
            },
            { header: 'Address', optional: true, className: 'mono small', cell: (item) => item.ip ?? '—' },
            { header: 'Last active', cell: (item) => formatRelative(item.lastSeenAt) },
            { header: 'Expires', optional: true, cell: (item) => formatDateTime(item.expiresAt) },
          ]}
          actions={(item) => (
            <button
              type="button"
              className="button button-small"
              onClick={() => setRevoking(item)}
              aria-label={
                item.current
                  ? 'Sign out this browser'
                  : `Revoke the session of ${describeAgent(item.userAgent)} from ${item.ip ?? 'an unknown address'}`
              }
            >
              {item.current ? 'Sign out' : 'Revoke'}
            </button>
          )}
        />
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

function ApiKeys() {
  const keys = useApiData((signal) => api.get<{ apiKeys: ApiKey[] }>('/auth/api-keys', { signal }), []);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  return (
    <section className="card">
      <CardHeader
        title="API keys"
        description={
          <>
            For scripts and mobile apps: send <code>Authorization: Bearer hlr_…</code>. A key is shown once when created.
          </>
        }
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            Create API key
          </button>
        }
      />
      <ResourceStatus resource={keys} inCard />
      {keys.data && keys.data.apiKeys.length === 0 ? (
        <div className="card-body">
          <EmptyState title="No API keys">Create one to call the API from a script.</EmptyState>
        </div>
      ) : null}
      {keys.data && keys.data.apiKeys.length > 0 ? (
        <DataTable
          testId="api-keys-table"
          rows={keys.data.apiKeys}
          rowKey={(key) => key.id}
          rowAttributes={(key) => ({ 'data-testid': 'api-key-row', 'data-key-label': key.label })}
          columns={[
            {
              header: 'Label',
              cell: (key) => (
                <>
                  <strong>{key.label}</strong>
                  <div className="muted small">created {formatDateTime(key.createdAt)}</div>
                </>
              ),
            },
            { header: 'Key', className: 'mono small nowrap', cell: (key) => `${key.prefix}…` },
            { header: 'Role', optional: true, cell: (key) => key.role },
            { header: 'Last used', optional: true, cell: (key) => formatRelative(key.lastUsed) },
            { header: 'Expires', optional: true, cell: (key) => (key.expiresAt ? formatDateTime(key.expiresAt) : 'never') },
          ]}
          actions={(key) => (
            <button
              type="button"
              className="button button-small"
              onClick={() => setRevoking(key)}
              aria-label={`Revoke API key ${key.label}`}
            >
              Revoke
            </button>
          )}
        />
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
  const [created, setCreated] = useState<{ key: string; label: string } | null>(null);

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
            <CopyButton text={created.key} what="API key" />
          </div>
          <p className="muted small">
            Try it:{' '}
            <code className="break-anywhere">
              curl -H "Authorization: Bearer {created.key.slice(0, 12)}…" {location.origin}/api/containers
            </code>
          </p>
        </div>
      </Dialog>
    );
  }
  return (
    <FormDialog
      title="Create API key"
      size="medium"
      testId="create-api-key"
      submitLabel="Create key"
      busyLabel="Creating…"
      canSubmit={label.trim() !== ''}
      onClose={onClose}
      onSubmit={async () => {
        const response = await api.post<{ key: string; apiKey: ApiKey }>('/auth/api-keys', {
          label: label.trim(),
          role,
          ...(days ? { expiresInDays: Number(days) } : {}),
        });
        setCreated({ key: response.key, label: response.apiKey.label });
        onCreated();
      }}
    >
      <TextField
        id="key-label"
        label="Label"
        value={label}
        maxLength={100}
        onChange={(event) => setLabel(event.target.value)}
        placeholder="e.g. nzb360 on my phone"
        required
        autoFocus
      />
      <div className="form-grid">
        <SelectField
          id="key-role"
          label="Role"
          value={role}
          onChange={(event) => setRole(event.target.value)}
          help="Never more than your own role."
        >
          {roles.map((item) => (
            <option key={item} value={item}>
              {item}
            </option>
          ))}
        </SelectField>
        <TextField
          id="key-days"
          label="Expires after (days)"
          inputMode="numeric"
          value={days}
          onChange={(event) => setDays(event.target.value.replace(/\D/g, ''))}
          placeholder="never"
          help="Empty: the key does not expire."
        />
      </div>
    </FormDialog>
  );
}
