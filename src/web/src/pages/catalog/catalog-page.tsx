// The app store: category tabs, search, starred apps, and a windowed grid of app cards.
import { lazy, Suspense, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { authSession } from '../../api/auth-session.js';
import { api } from '../../api/http-client.js';
import type { App, ContainersResponse, StarsResponse } from '../../api/wire-types.js';
import { cachedCatalog, loadCatalog } from '../../api/catalog-store.js';
import { SearchField } from '../../components/field.js';
import { EmptyState, ResourceStatus } from '../../components/notices.js';
import { PageHeader } from '../../components/section-header.js';
import { toastError } from '../../components/toaster.js';
import { VirtualGrid } from '../../components/virtual-grid.js';
import { setQueryParam, useLocation } from '../../lib/router.js';
import { useApiData } from '../../hooks/use-api-data.js';
import { AppCard } from './app-card.js';
import { categoryLabel } from './category-labels.js';

const DeployDialog = lazy(() => import('./deploy-dialog.js').then((m) => ({ default: m.DeployDialog })));

function matches(app: App, terms: string[]): boolean {
  if (terms.length === 0) return true;
  const haystack = `${app.displayName} ${app.name} ${app.id} ${app.description} ${app.image} ${app.category}`.toLowerCase();
  return terms.every((term) => haystack.includes(term));
}

export function CatalogPage() {
  const { search } = useLocation();
  const tab = search.get('category') ?? 'all';
  const [query, setQuery] = useState(search.get('q') ?? '');
  const deferredQuery = useDeferredValue(query);
  const [deploying, setDeploying] = useState<App | null>(null);
  const session = authSession.get();
  const canDeploy = session.status === 'signed-in' && session.user.role !== 'viewer';

  // The cached catalog shows at once; the fresh one replaces it when it arrives.
  const catalog = useApiData((signal) => loadCatalog({ refresh: true, signal }), []);
  const data = catalog.data ?? cachedCatalog();

  const [stars, setStars] = useState<Set<string>>(new Set());
  useEffect(() => {
    if (session.status !== 'signed-in' || !session.token) return;
    api
      .get<StarsResponse>('/auth/me/stars')
      .then((response) => setStars(new Set(response.stars)))
      .catch(() => setStars(new Set()));
  }, [session.status]);

  const deployed = useApiData(async (signal) => {
    const response = await api.get<ContainersResponse>('/containers', { signal });
    return new Set(response.containers.map((container) => container.app?.appId).filter((id): id is string => !!id));
  }, []);

  const starsRef = useRef(stars);
  starsRef.current = stars;
  const toggleStar = useCallback(async (app: App) => {
    const wasStarred = starsRef.current.has(app.id);
    const apply = (star: boolean) =>
      setStars((current) => {
        const next = new Set(current);
        if (star) next.add(app.id);
        else next.delete(app.id);
        return next;
      });
    apply(!wasStarred);
    try {
      if (wasStarred) await api.delete(`/auth/me/stars/${encodeURIComponent(app.id)}`);
      else await api.post(`/auth/me/stars/${encodeURIComponent(app.id)}`);
    } catch (error) {
      apply(wasStarred);
      toastError(error, `Could not ${wasStarred ? 'unstar' : 'star'} ${app.displayName}`);
    }
  }, []);
  const onToggleStar = useCallback((app: App) => void toggleStar(app), [toggleStar]);
  const onDeploy = useCallback((app: App) => setDeploying(app), []);

  const allApps = useMemo(() => {
    if (!data) return [];
    return Object.values(data.applications)
      .flat()
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  }, [data]);

  const terms = useMemo(() => deferredQuery.toLowerCase().split(/\s+/).filter(Boolean), [deferredQuery]);
  const searched = useMemo(() => allApps.filter((app) => matches(app, terms)), [allApps, terms]);
  const counts = useMemo(() => {
    const result = new Map<string, number>();
    for (const app of searched) result.set(app.category, (result.get(app.category) ?? 0) + 1);
    return result;
  }, [searched]);
  const visible = useMemo(() => {
    if (tab === 'all') return searched;
    if (tab === 'starred') return searched.filter((app) => stars.has(app.id));
    return searched.filter((app) => app.category === tab);
  }, [searched, tab, stars]);

  const categories = data?.categories ?? [];
  const tabs = useMemo(
    () => [
      { id: 'all', label: 'All', count: searched.length },
      { id: 'starred', label: 'Starred', count: searched.filter((app) => stars.has(app.id)).length },
      ...categories.map((category) => ({ id: category, label: categoryLabel(category), count: counts.get(category) ?? 0 })),
    ],
    [categories, counts, searched, stars],
  );

  const tabRefs = useRef(new Map<string, HTMLButtonElement>());
  const onTabKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = tabs.findIndex((item) => item.id === tab);
    let next = -1;
    if (event.key === 'ArrowRight') next = (index + 1) % tabs.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    event.preventDefault();
    const target = tabs[next];
    if (!target) return;
    setQueryParam('category', target.id === 'all' ? null : target.id);
    tabRefs.current.get(target.id)?.focus();
  };

  const renderCard = useCallback(
    (app: App) => (
      <AppCard
        app={app}
        starred={stars.has(app.id)}
        deployed={deployed.data?.has(app.id) ?? false}
        canDeploy={canDeploy}
        onToggleStar={onToggleStar}
        onDeploy={onDeploy}
      />
    ),
    [stars, deployed.data, canDeploy, onToggleStar, onDeploy],
  );

  return (
    <div>
      <PageHeader
        title="App catalog"
        description={
          data
            ? `${data.totalApps} apps in ${categories.length} categories. Pick one and deploy it in a minute.`
            : 'Apps you can deploy in one click.'
        }
      />
      <div className="catalog-toolbar">
        <SearchField
          id="catalog-search"
          label="Search apps"
          placeholder="Search apps, images, descriptions…"
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setQueryParam('q', event.target.value);
          }}
        />
        <span className="muted small" aria-live="polite">
          {data ? `${visible.length} shown` : ''}
        </span>
      </div>
      {data ? (
        <div className="tabs" role="tablist" aria-label="Categories" onKeyDown={onTabKey}>
          {tabs.map((item) => (
            <button
              key={item.id}
              ref={(element) => {
                if (element) tabRefs.current.set(item.id, element);
                else tabRefs.current.delete(item.id);
              }}
              type="button"
              role="tab"
              id={`tab-${item.id}`}
              aria-selected={tab === item.id}
              aria-controls="catalog-panel"
              tabIndex={tab === item.id ? 0 : -1}
              className="tab"
              onClick={() => setQueryParam('category', item.id === 'all' ? null : item.id)}
            >
              {item.label} <span className="count">{item.count}</span>
            </button>
          ))}
        </div>
      ) : null}
      <div id="catalog-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {data ? null : <ResourceStatus resource={catalog} loadingLabel="Loading the catalog…" />}
        {data && visible.length === 0 ? (
          <EmptyState title={tab === 'starred' && terms.length === 0 ? 'No starred apps yet' : 'No apps match'}>
            {tab === 'starred' && terms.length === 0 ? 'Star apps with the ☆ button to find them here.' : 'Try another search or category.'}
          </EmptyState>
        ) : null}
        {data && visible.length > 0 ? (
          <VirtualGrid items={visible} minColumnWidth={280} rowHeight={206} getKey={(app) => app.id} renderItem={renderCard} label="Apps" />
        ) : null}
      </div>
      {deploying ? (
        <Suspense fallback={null}>
          <DeployDialog
            app={deploying}
            onClose={() => {
              setDeploying(null);
              void deployed.reload();
            }}
          />
        </Suspense>
      ) : null}
    </div>
  );
}
