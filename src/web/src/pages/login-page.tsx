import { useState, type FormEvent } from 'react';
import { describeError } from '../api/api-error.js';
import { authSession } from '../api/auth-session.js';
import { api } from '../api/http-client.js';
import type { LoginResponse } from '../api/wire-types.js';
import { BrandMark } from '../components/icons.js';
import { ErrorNotice, InfoNotice } from '../components/notices.js';
import { ThemeToggle } from '../components/theme-toggle.js';

export function LoginPage({ reason, serverStatus }: { reason: string | null; serverStatus: string | null }) {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await api.post<LoginResponse>('/auth/login', { username: username.trim(), password });
      authSession.signIn(response.token, { ...response.user }, true);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  const failure = error ? describeError(error) : null;
  return (
    <main className="login-screen">
      <div style={{ position: 'fixed', top: 12, right: 12 }}>
        <ThemeToggle />
      </div>
      <div className="card login-card">
        <div className="brand">
          <BrandMark />
          <span>
            HomelabARR <small>CE</small>
          </span>
        </div>
        <form className="stack" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
          <div>
            <h1 id="login-title">Sign in</h1>
            <p className="muted">Manage your homelab apps and containers.</p>
          </div>
          {reason ? <InfoNotice tone="warning">{reason}</InfoNotice> : null}
          <div className="field">
            <label htmlFor="login-username">Username</label>
            <input
              id="login-username"
              className="input"
              name="username"
              autoComplete="username"
              value={username}
              onChange={(event) => setUsername(event.target.value)}
              required
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">Password</label>
            <input
              id="login-password"
              className="input"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              required
              autoFocus
            />
          </div>
          {failure ? <ErrorNotice title={failure.title} details={failure.details} /> : null}
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <details className="advanced small" style={{ marginTop: 18 }}>
          <summary>First start? Where is the admin password?</summary>
          <div className="stack muted">
            <p>
              There is no default password. On its first start the server creates the user <code>admin</code> with the password from{' '}
              <code>ADMIN_PASSWORD</code> (or <code>ADMIN_PASSWORD_FILE</code>) if you set one.
            </p>
            <p>
              Otherwise it generates one, prints it once in the server console, and stores it in{' '}
              <code>DATA_DIR/initial-admin-password</code> (for example <code>cat ./data/initial-admin-password</code>). Change it after
              signing in.
            </p>
          </div>
        </details>
        {serverStatus ? (
          <p className="muted small" style={{ marginTop: 12 }}>
            Server: {serverStatus}
          </p>
        ) : null}
      </div>
    </main>
  );
}
