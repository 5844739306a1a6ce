// One user action of a form or dialog at a time (sign in, save, create): busy while it runs, and
// the error it threw, cleared when the next attempt starts, for the form to show next to it.
import { useCallback, useEffect, useRef, useState } from 'react';

export type AsyncAction = {
  busy: boolean;
  error: unknown;
  /** Runs the action; resolves true when it succeeded, false when it threw (the error is kept). */
  run: (action: () => Promise<void>) => Promise<boolean>;
  setError: (error: unknown) => void;
};

export function useAsyncAction(): AsyncAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Many actions close their dialog on success: nothing is left to update then.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (caught) {
      if (mounted.current) setError(caught);
      return false;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}
