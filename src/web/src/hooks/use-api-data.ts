// Loads one API resource for a component: data, error, loading, a reload(), and optional polling
// that pauses while the tab is hidden.
import { useCallback, useEffect, useRef, useState } from 'react';

export type ApiData<T> = {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (update: (current: T | null) => T | null) => void;
};

export function useApiData<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  options: { pollMs?: number; enabled?: boolean } = {},
): ApiData<T> {
  const [data, setDataState] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(options.enabled !== false);
  const loadRef = useRef(load);
  loadRef.current = load;
  const controllerRef = useRef<AbortController | null>(null);

  const run = useCallback(async (quiet: boolean) => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    if (!quiet) setLoading(true);
    try {
      const result = await loadRef.current(controller.signal);
      if (controller.signal.aborted) return;
      setDataState(result);
      setError(null);
    } catch (caught) {
      if (controller.signal.aborted) return;
      setError(caught);
    } finally {
      if (!controller.signal.aborted) setLoading(false);
    }
  }, []);

  const enabled = options.enabled !== false;
  useEffect(() => {
    if (!enabled) return;
    void run(false);
    return () => controllerRef.current?.abort();
  }, [...deps, enabled]);

  useEffect(() => {
    if (!enabled || !options.pollMs) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void run(true);
    }, options.pollMs);
    return () => window.clearInterval(timer);
  }, [enabled, options.pollMs, run]);

  const reload = useCallback(() => run(true), [run]);
  const setData = useCallback((update: (current: T | null) => T | null) => setDataState(update), []);
  return { data, error, loading, reload, setData };
}
