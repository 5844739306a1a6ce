// Hands an OAuth sign-in from the tab that started it to the tab the provider redirects to
// (/mounts/oauth-callback), and the result back: both tabs share localStorage.

export const OAUTH_CALLBACK_PATH = '/mounts/oauth-callback';
const PENDING_KEY = 'hlr.oauth.pending';
export const RESULT_KEY = 'hlr.oauth.result';

export type PendingOAuth = { state: string; base: string; provider: string; providerName: string };
export type OAuthOutcome = { state: string; ok: boolean; error: string | null };

export function isDashboardCallback(redirectUri: string): boolean {
  return redirectUri.startsWith(`${location.origin}${OAUTH_CALLBACK_PATH}`);
}

export function rememberPending(pending: PendingOAuth): void {
  localStorage.setItem(PENDING_KEY, JSON.stringify(pending));
}

export function takePending(state: string): PendingOAuth | null {
  try {
    const pending = JSON.parse(localStorage.getItem(PENDING_KEY) ?? 'null') as PendingOAuth | null;
    if (!pending || pending.state !== state) return null;
    localStorage.removeItem(PENDING_KEY);
    return pending;
  } catch {
    return null;
  }
}

export function publishOutcome(outcome: OAuthOutcome): void {
  localStorage.setItem(RESULT_KEY, JSON.stringify(outcome));
}

export function parseOutcome(value: string | null): OAuthOutcome | null {
  try {
    const parsed = JSON.parse(value ?? 'null') as OAuthOutcome | null;
    return parsed && typeof parsed.state === 'string' ? parsed : null;
  } catch {
    return null;
  }
}
