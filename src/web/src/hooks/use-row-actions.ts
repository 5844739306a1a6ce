// Actions on the rows of a list (start a container, mount a provider): each row is busy while its
// own action runs, others stay usable, and a failure becomes an error toast since a row has no
// room to show it.
import { useCallback, useState } from 'react';
import { toastError } from '../components/toaster.js';

export type RowActions = {
  isBusy: (key: string) => boolean;
  run: (key: string, action: () => Promise<void>) => Promise<void>;
};

export function useRowActions(): RowActions {
  const [busy, setBusy] = useState<ReadonlySet<string>>(() => new Set());
  const run = useCallback(async (key: string, action: () => Promise<void>) => {
    setBusy((current) => new Set(current).add(key));
    try {
      await action();
    } catch (error) {
      toastError(error);
    } finally {
      setBusy((current) => {
        const next = new Set(current);
        next.delete(key);
        return next;
      });
    }
  }, []);
  const isBusy = useCallback((key: string) => busy.has(key), [busy]);
  return { isBusy, run };
}
