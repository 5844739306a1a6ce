import { useState, type FormEvent } from 'react';
import { authSession } from '../api/auth-session.js';
import { api } from '../api/http-client.js';
import type { LoginResponse } from '../api/wire-types.js';
import { TextField } from '../components/field.js';
import { BrandMark } from '../components/icons.js';
import { ErrorBanner, InfoNotice } from '../components/notices.js';
import { ThemeToggle } from '../components/theme-toggle.js';
import { useAsyncAction } from '../hooks/use-async-action.js';

export function LoginPage({ reason, serverStatus }: { reason: string | null; serverStatus: string | null }) {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAsyncAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const response = await api.post<LoginResponse>('/auth/login', { username: username.trim(), password });
      authSession.signIn(response.token, { ...response.user }, true);
    });
  };

  return (
    <main className="login-screen">
      <div className="login-theme">
        <ThemeToggle />
      </div>
      <div className="card login-card">
        <div className="brand">
          <BrandMark />
          <span>
            HomelabARR <small>CE</small>
          </span>
        </div>
        <form className="stack" onSubmit={submit} aria-labelledby="login-title">
          <div>
            <h1 id="login-title">Sign in</h1>
            <p className="muted">Manage your homelab apps and containers.</p>
          </div>
          {reason ? <InfoNotice tone="warning">{reason}</InfoNotice> : null}
          <TextField
            id="login-username"
            label="Username"
            name="username"
            autoComplete="username"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            required
          />
          <TextField
            id="login-password"
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
            autoFocus
          />
          <ErrorBanner error={error} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <details className="advanced small login-help">
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
        {serverStatus ? <p className="muted small login-status">Server: {serverStatus}</p> : null}
      </div>
    </main>
  );
}
