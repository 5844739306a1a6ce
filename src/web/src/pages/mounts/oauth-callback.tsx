// Where an OAuth provider sends the browser back when the redirect address is this dashboard:
// completes the sign-in with the code, tells the tab that started it, and says what happened.
import { useEffect, useRef, useState } from 'react';
import { describeError } from '../../api/api-error.js';
import { api } from '../../api/http-client.js';
import type { AuthStoredResult } from '../../api/wire-types.js';
import { ErrorNotice, InfoNotice, LoadingBlock } from '../../components/notices.js';
import { Link, useLocation } from '../../lib/router.js';
import { publishOutcome, takePending } from './oauth-handoff.js';

type Result = { ok: true; providerName: string } | { ok: false; title: string; details: string };

export function OAuthCallback() {
  const { search } = useLocation();
  const [result, setResult] = useState<Result | null>(null);
  const started = useRef(false);

  useEffect(() => {
    // Once: a code is single-use, and StrictMode runs effects twice in development.
    if (started.current) return;
    started.current = true;
    const code = search.get('code');
    const state = search.get('state') ?? '';
    const providerError = search.get('error');
    const pending = takePending(state);
    const finish = (outcome: Result) => {
      setResult(outcome);
      publishOutcome({ state, ok: outcome.ok, error: outcome.ok ? null : `${outcome.title}: ${outcome.details}` });
    };
    if (!pending) {
      finish({
        ok: false,
        title: 'This sign-in was not started from this dashboard',
        details: 'Start again from the Mounts page: Connect, then Sign in.',
      });
      return;
    }
    if (providerError || !code) {
      finish({
        ok: false,
        title: `${pending.providerName} did not grant access`,
        details: search.get('error_description') ?? providerError ?? 'No code came back.',
      });
      return;
    }
    api
      .post<AuthStoredResult>(`${pending.base}/auth/complete`, { provider: pending.provider, auth_code: code, state })
      .then(() => finish({ ok: true, providerName: pending.providerName }))
      .catch((error: unknown) => finish({ ok: false, ...describeError(error) }));
  }, [search]);

  return (
    <div className="stack" style={{ maxWidth: 560 }}>
      <h1>Connecting storage</h1>
      {!result ? <LoadingBlock label="Finishing the sign-in…" /> : null}
      {result?.ok ? (
        <InfoNotice tone="success">
          <strong>{result.providerName} is connected.</strong> You can close this tab, or go back to the mounts.
        </InfoNotice>
      ) : null}
      {result && !result.ok ? <ErrorNotice title={result.title} details={result.details} /> : null}
      {result ? (
        <div>
          <Link to="/mounts" className="button">
            Back to Mounts
          </Link>
        </div>
      ) : null}
    </div>
  );
}
