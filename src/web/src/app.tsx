// The dashboard's root: finds out who is signed in, then shows the sign-in screen or the shell
// with its pages. Pages are separate chunks loaded on first visit.
import { Component, lazy, Suspense, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { authSession, type SessionState } from './api/auth-session.js';
import { deploymentTracker } from './api/deployment-tracker.js';
import { api } from './api/http-client.js';
import type { Health, MeResponse } from './api/wire-types.js';
import { DeploymentsIndicator } from './components/deployments-indicator.js';
import { BrandMark } from './components/icons.js';
import { ErrorBanner, LoadingBlock } from './components/notices.js';
import { ThemeToggle } from './components/theme-toggle.js';
import { Toaster } from './components/toaster.js';
import { UserMenu } from './components/user-menu.js';
import { LoginPage } from './pages/login-page.js';
import { Link, navigate, useLocation } from './lib/router.js';

const CatalogPage = lazy(() => import('./pages/catalog/catalog-page.js').then((m) => ({ default: m.CatalogPage })));
const AppsPage = lazy(() => import('./pages/apps/apps-page.js').then((m) => ({ default: m.AppsPage })));
const PortsPage = lazy(() => import('./pages/ports-page.js').then((m) => ({ default: m.PortsPage })));
const HealthPage = lazy(() => import('./pages/health-page.js').then((m) => ({ default: m.HealthPage })));
const MountsPage = lazy(() => import('./pages/mounts/mounts-page.js').then((m) => ({ default: m.MountsPage })));
const AccountPage = lazy(() => import('./pages/account/account-page.js').then((m) => ({ default: m.AccountPage })));
const UsersPage = lazy(() => import('./pages/account/users-page.js').then((m) => ({ default: m.UsersPage })));

const NAV: { to: string; label: string }[] = [
  { to: '/catalog', label: 'Catalog' },
  { to: '/apps', label: 'Apps' },
  { to: '/ports', label: 'Ports' },
  { to: '/mounts', label: 'Mounts' },
  { to: '/health', label: 'Health' },
];

function useSession(): SessionState {
  return useSyncExternalStore(authSession.subscribe, authSession.get);
}

/** Decides the first screen: a stored token that still works, an open server (auth off), or sign-in. */
async function bootstrap(): Promise<{ serverStatus: string | null }> {
  let health: Health | null = null;
  try {
    health = await api.get<Health>('/health', { acceptStatuses: [503] });
  } catch {
    health = null;
  }
  const serverStatus = health ? `${health.status}, Docker ${health.docker.status}, ${health.catalog.apps} apps` : 'not reachable';
  const authEnabled = health?.auth.enabled ?? true;
  if (authSession.storedToken()) {
    try {
      const { user } = await api.get<MeResponse>('/auth/me');
      authSession.signIn(authSession.storedToken(), user, authEnabled);
      return { serverStatus };
    } catch {
      authSession.signOut(null);
    }
  }
  if (!authEnabled) authSession.signIn(null, { id: 'anonymous', username: 'guest', email: null, role: 'user' }, false);
  else authSession.signOut(null);
  return { serverStatus };
}

export function App() {
  const session = useSession();
  const [serverStatus, setServerStatus] = useState<string | null>(null);

  useEffect(() => {
    void bootstrap().then((result) => setServerStatus(result.serverStatus));
  }, []);

  const signedIn = session.status === 'signed-in';
  useEffect(() => {
    if (signedIn) void deploymentTracker.restore();
    else deploymentTracker.stopAll();
  }, [signedIn]);

  if (session.status === 'unknown') return <LoadingBlock label="Starting…" />;
  if (session.status === 'signed-out') {
    return (
      <>
        <LoginPage reason={session.reason} serverStatus={serverStatus} />
        <Toaster />
      </>
    );
  }
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Shell session={session} />
      <Toaster />
    </>
  );
}

function Shell({ session }: { session: Extract<SessionState, { status: 'signed-in' }> }) {
  const { pathname } = useLocation();
  useEffect(() => {
    if (pathname === '/' || pathname === '/index.html') navigate('/catalog', { replace: true });
  }, [pathname]);

  const signOut = async () => {
    try {
      await api.post('/auth/logout');
    } catch {
      // The session may already be gone; signing out locally is what matters.
    }
    authSession.signOut(null);
    navigate('/', { replace: true });
  };

  const section = pathname.split('/')[1] ?? '';
  useEffect(() => {
    const label =
      NAV.find((item) => item.to === `/${section}`)?.label ?? (section === 'account' ? 'Account' : section === 'users' ? 'Users' : '');
    document.title = label ? `${label} · HomelabARR CE` : 'HomelabARR CE';
  }, [section]);

  return (
    <>
      {!session.authEnabled ? (
        <div className="banner">
          Authentication is disabled (AUTH_ENABLED=false): anyone who can reach this page can manage your containers.
        </div>
      ) : null}
      <header className="app-header">
        <Link to="/catalog" className="brand" aria-label="HomelabARR CE home">
          <BrandMark />
          <span className="brand-text">
            HomelabARR <small>CE</small>
          </span>
        </Link>
        <nav className="main-nav" aria-label="Main">
          {NAV.map((item) => (
            <Link key={item.to} to={item.to} aria-current={`/${section}` === item.to ? 'page' : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="header-actions">
          <DeploymentsIndicator />
          <ThemeToggle />
          <UserMenu
            user={session.user}
            authEnabled={session.authEnabled}
            onSignOut={() => void signOut()}
            onSignIn={() => authSession.signOut(null)}
          />
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <PageErrorBoundary key={section}>
          <Suspense fallback={<LoadingBlock />}>
            <Page section={section} pathname={pathname} role={session.user.role} />
          </Suspense>
        </PageErrorBoundary>
      </main>
    </>
  );
}

function Page({ section, pathname, role }: { section: string; pathname: string; role: string }): ReactNode {
  switch (section) {
    case '':
    case 'catalog':
      return <CatalogPage />;
    case 'apps':
      return <AppsPage />;
    case 'ports':
      return <PortsPage />;
    case 'health':
      return <HealthPage />;
    case 'mounts':
      return <MountsPage />;
    case 'account':
      return <AccountPage tab={pathname.split('/')[2] ?? 'password'} />;
    case 'users':
      return role === 'admin' ? <UsersPage /> : <NotFound message="Only administrators manage users." />;
    default:
      return <NotFound message={`There is no page at ${pathname}.`} />;
  }
}

function NotFound({ message }: { message: string }) {
  return (
    <div className="empty-state">
      <strong>Page not found</strong>
      <span className="muted">{message}</span>
      <Link to="/catalog" className="button">
        Go to the catalog
      </Link>
    </div>
  );
}

/** A page that throws (or whose chunk fails to load) shows an error instead of a blank screen. */
class PageErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    if (this.state.error) return <ErrorBanner error={this.state.error} onRetry={() => location.reload()} />;
    return this.props.children;
  }
}
