// The catalog, fetched once per page load and shared by the screens that show app names and
// icons (catalog, apps). The catalog page refreshes it on each visit.
import { useEffect, useState } from 'react';
import { api } from './http-client.js';
import type { App, ApplicationsResponse } from './wire-types.js';

let cached: ApplicationsResponse | null = null;
let pending: Promise<ApplicationsResponse> | null = null;
const listeners = new Set<(catalog: ApplicationsResponse) => void>();

export function cachedCatalog(): ApplicationsResponse | null {
  return cached;
}

export function loadCatalog(options: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<ApplicationsResponse> {
  if (cached && !options.refresh) return Promise.resolve(cached);
  if (pending && !options.refresh) return pending;
  const request = api.get<ApplicationsResponse>('/applications', { signal: options.signal }).then((fresh) => {
    cached = fresh;
    for (const listener of listeners) listener(fresh);
    return fresh;
  });
  pending = request.finally(() => {
    if (pending === request) pending = null;
  });
  return request;
}

/** Apps by id, once the catalog is loaded (empty until then, and if it cannot be loaded). */
export function useCatalogIndex(): Map<string, App> {
  const [catalog, setCatalog] = useState(cached);
  useEffect(() => {
    listeners.add(setCatalog);
    if (!cached) loadCatalog().catch(() => undefined);
    return () => {
      listeners.delete(setCatalog);
    };
  }, []);
  const [index, setIndex] = useState(() => new Map<string, App>());
  useEffect(() => {
    if (catalog)
      setIndex(
        new Map(
          Object.values(catalog.applications)
            .flat()
            .map((app) => [app.id, app]),
        ),
      );
  }, [catalog]);
  return index;
}
