// Administrators manage accounts: create, change role, reset password, delete.
import { useState } from 'react';
import { authSession } from '../../api/auth-session.js';
import { api } from '../../api/http-client.js';
import type { ActivityLogResponse, User, UsersResponse } from '../../api/wire-types.js';
import { Badge } from '../../components/badge.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { DataTable } from '../../components/data-table.js';
import { InlineSelect, NewPasswordField, SelectField, TextField } from '../../components/field.js';
import { FormDialog } from '../../components/form-dialog.js';
import { ResourceStatus } from '../../components/notices.js';
import { CardHeader, PageHeader } from '../../components/section-header.js';
import { toast, toastError } from '../../components/toaster.js';
import { useApiData } from '../../hooks/use-api-data.js';
import { formatDateTime, formatRelative } from '../../lib/format.js';

const ROLES = ['viewer', 'user', 'admin'] as const;
const ROLE_HELP: Record<string, string> = {
  viewer: 'sees everything, changes nothing',
  user: 'deploys and operates apps and containers',
  admin: 'everything, including users and privileged apps',
};

export function UsersPage() {
  const users = useApiData((signal) => api.get<UsersResponse>('/auth/users', { signal }), []);
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
      toastError(error);
    }
    await users.reload();
  };

  return (
    <div>
      <PageHeader
        title="Users"
        description="Who can sign in, and what they may do."
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            Add user
          </button>
        }
      />
      <ResourceStatus resource={users} />
      {users.data ? (
        <section className="card">
          <DataTable
            testId="users-table"
            rows={users.data}
            rowKey={(user) => user.id}
            columns={[
              {
                header: 'User',
                cell: (user) => (
                  <>
                    <strong>{user.username}</strong> {user.id === me ? <Badge tone="accent">you</Badge> : null}
                    <div className="muted small">{user.email ?? 'no email'}</div>
                  </>
                ),
              },
              {
                header: 'Role',
                cell: (user) => (
                  <InlineSelect
                    id={`role-${user.id}`}
                    label={`Role of ${user.username}`}
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
                  </InlineSelect>
                ),
              },
              { header: 'Last sign-in', optional: true, cell: (user) => formatRelative(user.lastLogin) },
              { header: 'Created', optional: true, cell: (user) => formatDateTime(user.createdAt) },
            ]}
            actions={(user) => (
              <div className="button-group">
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => setResetting(user)}
                  aria-label={`Reset password of ${user.username}`}
                >
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
            )}
          />
        </section>
      ) : null}
      <p className="muted small section-note">Roles: {ROLES.map((role) => `${role} — ${ROLE_HELP[role]}`).join('; ')}.</p>
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
  return (
    <FormDialog
      title="Add user"
      submitLabel="Create user"
      busyLabel="Creating…"
      onClose={onClose}
      onSubmit={async () => {
        await api.post('/auth/users', { username: username.trim(), password, role, ...(email.trim() ? { email: email.trim() } : {}) });
        toast('success', `Created ${username.trim()}`);
        onCreated();
        onClose();
      }}
    >
      <div className="form-grid">
        <TextField
          id="new-username"
          label="Username"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          pattern="[A-Za-z0-9_.\-]{3,32}"
          required
          autoComplete="off"
          help="3–32 letters, digits, _ . or -"
          autoFocus
        />
        <TextField
          id="new-email"
          label="Email (optional)"
          type="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          autoComplete="off"
        />
        <NewPasswordField id="new-user-password" label="Password" value={password} onChange={(event) => setPassword(event.target.value)} />
        <SelectField id="new-role" label="Role" value={role} onChange={(event) => setRole(event.target.value)} help={ROLE_HELP[role]}>
          {ROLES.map((item) => (
            <option key={item} value={item}>
              {item}
            </option>
          ))}
        </SelectField>
      </div>
    </FormDialog>
  );
}

function ResetPasswordDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const [password, setPassword] = useState('');
  return (
    <FormDialog
      title={`Reset password of ${user.username}`}
      size="small"
      submitLabel="Set password"
      busyLabel="Saving…"
      canSubmit={password.length > 0}
      onClose={onClose}
      onSubmit={async () => {
        await api.put(`/auth/users/${encodeURIComponent(user.id)}/password`, { password });
        toast('success', `Password of ${user.username} reset`, 'Their sessions were signed out.');
        onClose();
      }}
    >
      <NewPasswordField
        id="reset-password"
        label="New password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        autoFocus
        help="Tell them the new password through a safe channel; they can change it under Account."
      />
    </FormDialog>
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
    <section className="card section-gap" aria-labelledby="activity-title">
      <CardHeader
        title="Activity"
        titleId="activity-title"
        description="Sign-ins, deployments and changes, newest first."
        actions={
          log.data ? (
            <div className="row small">
              <span className="muted" aria-live="polite">
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
          ) : null
        }
      />
      <ResourceStatus resource={log} inCard />
      {log.data ? (
        <DataTable
          testId="activity-table"
          rows={log.data.activities}
          rowKey={(entry) => entry.id}
          columns={[
            {
              header: 'When',
              className: 'nowrap',
              cell: (entry) => <span title={formatDateTime(entry.timestamp)}>{formatRelative(entry.timestamp)}</span>,
            },
            { header: 'Who', cell: (entry) => entry.username ?? <span className="muted">—</span> },
            {
              header: 'What',
              className: 'break-anywhere',
              cell: (entry) => (
                <>
                  <code>{entry.action}</code> {entry.targetName ? <span className="muted">{entry.targetName}</span> : null}
                </>
              ),
            },
            { header: 'From', optional: true, className: 'mono small', cell: (entry) => entry.ipAddress ?? '—' },
          ]}
        />
      ) : null}
    </section>
  );
}
