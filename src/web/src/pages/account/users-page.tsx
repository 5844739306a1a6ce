// Administrators manage accounts: create, change role, reset password, delete.
import { useState, type FormEvent } from 'react';
import { describeError } from '../../api/api-error.js';
import { authSession } from '../../api/auth-session.js';
import { api } from '../../api/http-client.js';
import type { ActivityLogResponse, User } from '../../api/wire-types.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { Dialog } from '../../components/dialog.js';
import { ErrorFromValue, ErrorNotice, LoadingBlock } from '../../components/notices.js';
import { toast } from '../../components/toaster.js';
import { useApiData } from '../../hooks/use-api-data.js';
import { formatDateTime, formatRelative } from '../../lib/format.js';

const ROLES = ['viewer', 'user', 'admin'] as const;
const ROLE_HELP: Record<string, string> = {
  viewer: 'sees everything, changes nothing',
  user: 'deploys and operates apps and containers',
  admin: 'everything, including users and privileged apps',
};

export function UsersPage() {
  const users = useApiData((signal) => api.get<{ users: User[] }>('/auth/users', { signal }), []);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const session = authSession.get();
  const me = session.status === 'signed-in' ? session.user.id : null;

  const changeRole = async (user: User, role: string) => {
    try {
      await api.patch(`/auth/users/${encodeURIComponent(user.id)}`, { role });
      toast('success', `${user.username} is now ${role}`);
    } catch (error) {
      const { title, details } = describeError(error);
      toast('error', title, details);
    }
    await users.reload();
  };

  return (
    <div>
      <div className="page-header">
        <div>
          <h1>Users</h1>
          <p>Who can sign in, and what they may do.</p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
          Add user
        </button>
      </div>
      {users.error ? <ErrorFromValue error={users.error} onRetry={() => void users.reload()} /> : null}
      {!users.data && !users.error ? <LoadingBlock /> : null}
      {users.data ? (
        <section className="card">
          <div className="table-wrap">
            <table className="table" data-testid="users-table">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col" className="hide-mobile">
                    Last sign-in
                  </th>
                  <th scope="col" className="hide-mobile">
                    Created
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.data.users.map((user) => (
                  <tr key={user.id}>
                    <td>
                      <strong>{user.username}</strong> {user.id === me ? <span className="badge badge-accent">you</span> : null}
                      <div className="muted small">{user.email ?? 'no email'}</div>
                    </td>
                    <td>
                      <label className="visually-hidden" htmlFor={`role-${user.id}`}>
                        Role of {user.username}
                      </label>
                      <select
                        id={`role-${user.id}`}
                        className="select"
                        style={{ width: 'auto' }}
                        value={user.role}
                        disabled={user.id === me}
                        title={user.id === me ? 'You cannot change your own role' : undefined}
                        onChange={(event) => void changeRole(user, event.target.value)}
                      >
                        {ROLES.map((role) => (
                          <option key={role} value={role}>
                            {role}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td className="hide-mobile">{formatRelative(user.lastLogin)}</td>
                    <td className="hide-mobile">{formatDateTime(user.createdAt)}</td>
                    <td className="actions">
                      <div className="button-group" style={{ justifyContent: 'flex-end' }}>
                        <button type="button" className="button button-small" onClick={() => setResetting(user)}>
                          Reset password
                        </button>
                        <button
                          type="button"
                          className="button button-small"
                          onClick={() => setDeleting(user)}
                          disabled={user.id === me}
                          aria-label={`Delete ${user.username}`}
                        >
                          Delete
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      <p className="muted small" style={{ marginTop: 12 }}>
        Roles: {ROLES.map((role) => `${role} — ${ROLE_HELP[role]}`).join('; ')}.
      </p>
      <ActivityLog />
      {creating ? <CreateUserDialog onClose={() => setCreating(false)} onCreated={() => void users.reload()} /> : null}
      {resetting ? <ResetPasswordDialog user={resetting} onClose={() => setResetting(null)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${deleting.username}?`}
          confirmLabel="Delete user"
          danger
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.delete(`/auth/users/${encodeURIComponent(deleting.id)}`);
            toast('success', `Deleted ${deleting.username}`);
            await users.reload();
          }}
        >
          <p>Their sessions and API keys stop working at once. Apps they deployed keep running.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function CreateUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<string>('user');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/auth/register', { username: username.trim(), password, role, ...(email.trim() ? { email: email.trim() } : {}) });
      toast('success', `Created ${username.trim()}`);
      onCreated();
      onClose();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const failure = error ? describeError(error) : null;
  return (
    <Dialog
      title="Add user"
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" form="create-user-form" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create user'}
          </button>
        </>
      }
    >
      <form id="create-user-form" className="stack" onSubmit={(event) => void submit(event)}>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="new-username">Username</label>
            <input
              id="new-username"
              className="input"
              value={username}
              onChange={(event) => setUsername(event.target.value)}
              pattern="[A-Za-z0-9_.\-]{3,32}"
              required
              autoComplete="off"
              aria-describedby="new-username-help"
              autoFocus
            />
            <span id="new-username-help" className="field-help">
              3–32 letters, digits, _ . or -
            </span>
          </div>
          <div className="field">
            <label htmlFor="new-email">Email (optional)</label>
            <input
              id="new-email"
              className="input"
              type="email"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              autoComplete="off"
            />
          </div>
          <div className="field">
            <label htmlFor="new-user-password">Password</label>
            <input
              id="new-user-password"
              className="input"
              type="password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              minLength={8}
              required
              autoComplete="new-password"
            />
          </div>
          <div className="field">
            <label htmlFor="new-role">Role</label>
            <select id="new-role" className="select" value={role} onChange={(event) => setRole(event.target.value)}>
              {ROLES.map((item) => (
                <option key={item} value={item}>
                  {item} — {ROLE_HELP[item]}
                </option>
              ))}
            </select>
          </div>
        </div>
        {failure ? <ErrorNotice title={failure.title} details={failure.details} /> : null}
      </form>
    </Dialog>
  );
}

function ResetPasswordDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.put(`/auth/users/${encodeURIComponent(user.id)}/password`, { password });
      toast('success', `Password of ${user.username} reset`, 'Their sessions were signed out.');
      onClose();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const failure = error ? describeError(error) : null;
  return (
    <Dialog
      title={`Reset password of ${user.username}`}
      size="small"
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" form="reset-password-form" className="button button-primary" disabled={busy || password.length === 0}>
            {busy ? 'Saving…' : 'Set password'}
          </button>
        </>
      }
    >
      <form id="reset-password-form" className="stack" onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="reset-password">New password</label>
          <input
            id="reset-password"
            className="input"
            type="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            minLength={8}
            required
            autoComplete="new-password"
            autoFocus
          />
          <span className="field-help">Tell them the new password through a safe channel; they can change it under Account.</span>
        </div>
        {failure ? <ErrorNotice title={failure.title} details={failure.details} /> : null}
      </form>
    </Dialog>
  );
}

const ACTIVITY_PAGE = 25;

/** The audit trail: who signed in, deployed, removed or changed what, newest first. */
function ActivityLog() {
  const [offset, setOffset] = useState(0);
  const log = useApiData(
    (signal) => api.get<ActivityLogResponse>('/auth/activity-log', { query: { limit: ACTIVITY_PAGE, offset }, signal }),
    [offset],
  );
  return (
    <section className="card" style={{ marginTop: 20 }} aria-labelledby="activity-title">
      <div className="card-header">
        <div>
          <h2 id="activity-title">Activity</h2>
          <p className="muted small">Sign-ins, deployments and changes, newest first.</p>
        </div>
        {log.data ? (
          <div className="row small">
            <span className="muted">
              {log.data.total === 0 ? 'none' : `${offset + 1}–${Math.min(offset + ACTIVITY_PAGE, log.data.total)} of ${log.data.total}`}
            </span>
            <button
              type="button"
              className="button button-small"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - ACTIVITY_PAGE))}
            >
              Newer
            </button>
            <button
              type="button"
              className="button button-small"
              disabled={offset + ACTIVITY_PAGE >= log.data.total}
              onClick={() => setOffset(offset + ACTIVITY_PAGE)}
            >
              Older
            </button>
          </div>
        ) : null}
      </div>
      {log.error ? (
        <div className="card-body">
          <ErrorFromValue error={log.error} onRetry={() => void log.reload()} />
        </div>
      ) : null}
      {!log.data && !log.error ? <LoadingBlock /> : null}
      {log.data ? (
        <div className="table-wrap">
          <table className="table" data-testid="activity-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col" className="hide-mobile">
                  From
                </th>
              </tr>
            </thead>
            <tbody>
              {log.data.entries.map((entry) => (
                <tr key={entry.id}>
                  <td className="nowrap" title={formatDateTime(entry.at)}>
                    {formatRelative(entry.at)}
                  </td>
                  <td>{entry.username ?? <span className="muted">—</span>}</td>
                  <td>
                    <code>{entry.action}</code> {entry.target ? <span className="muted">{entry.target}</span> : null}
                  </td>
                  <td className="mono small hide-mobile">{entry.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
