// The catalog in memory: loaded lazily from the catalog roots, reloaded when a template changes
// (fs.watch, debounced) or on request, and served to GET /applications as pre-serialized JSON.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { CATEGORIES, type App } from '../../../contracts/catalog.js';
import type { Config } from '../../config.js';
import { loadCatalog, type CatalogClash, type CatalogRoot, type InvalidTemplate, type LoadedCatalog } from './catalog-loader.js';
import { globalDefaultsFromConfig, type CatalogEntry, type GlobalDefaults } from './catalog-template.js';

export type { CatalogEntry, CatalogTemplate, TemplateVariable, GlobalDefaults } from './catalog-template.js';

export type CatalogSummaryWithClashes = { apps: number; invalid: InvalidTemplate[]; clashes: CatalogClash[] };
export type CatalogFilter = { category?: string; search?: string };
export type CatalogListing = {
  body: string;
  etag: string;
  /** The body gzipped once, for clients that accept it (the full catalog is ~250 KB of JSON, ~10% of that gzipped). */
  gzipped(): Buffer;
  /** The body encoded once: a string reply is re-encoded (and copied into a fresh native buffer) on every request. */
  bytes(): Buffer;
};

export type CatalogServiceOptions = {
  roots: CatalogRoot[];
  globals: GlobalDefaults;
  /** Reload when files under the roots change. Off in most tests. */
  watch: boolean;
  debounceMs?: number;
  /** Told after every (re)load, e.g. to log invalid templates. */
  onLoad?: (summary: CatalogSummaryWithClashes) => void;
};

/** The bundled catalog, then CATALOG_PATHS in order, then CLI_BRIDGE_HOST_PATH/apps: a later root wins. */
export function catalogRootsFromConfig(config: Config): CatalogRoot[] {
  const roots: CatalogRoot[] = [{ path: config.bundledCatalogPath, source: 'bundled' }];
  for (const folder of config.catalogPaths) roots.push({ path: folder, source: 'custom' });
  if (config.cliBridgeHostPath) roots.push({ path: path.join(config.cliBridgeHostPath, 'apps'), source: 'cli-bridge' });
  return roots;
}

export function catalogOptionsFromConfig(config: Config, overrides: Partial<CatalogServiceOptions> = {}): CatalogServiceOptions {
  return { roots: catalogRootsFromConfig(config), globals: globalDefaultsFromConfig(config), watch: false, ...overrides };
}

type Snapshot = LoadedCatalog & {
  version: number;
  apps: App[];
  /** Lowercased text each app is searched by, parallel to apps. */
  haystacks: string[];
  listings: Map<string, CatalogListing>;
};

const MAX_CACHED_LISTINGS = 256;
const DEFAULT_DEBOUNCE_MS = 250;

export class CatalogService {
  private snapshot: Snapshot | null = null;
  private version = 0;
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: CatalogServiceOptions) {}

  private current(): Snapshot {
    return this.snapshot ?? this.load();
  }

  private load(): Snapshot {
    const loaded = loadCatalog(this.options.roots, this.options.globals);
    const apps = [...loaded.entries.values()]
      .map((entry) => entry.app)
      .sort((a, b) => a.category.localeCompare(b.category) || a.name.localeCompare(b.name));
    this.version += 1;
    this.snapshot = {
      ...loaded,
      version: this.version,
      apps,
      haystacks: apps.map((app) => [app.id, app.name, app.displayName, app.description, app.category, app.image].join(' ').toLowerCase()),
      listings: new Map(),
    };
    if (this.options.watch && !this.closed) this.watchFolders(loaded.folders);
    this.options.onLoad?.(this.summary());
    return this.snapshot;
  }

  /** Every app, sorted by category then name. */
  list(): App[] {
    return this.current().apps;
  }

  /** The app with this id, looked up as a whole (ids may contain hyphens on both sides). */
  get(appId: string): CatalogEntry | null {
    return this.current().entries.get(appId) ?? null;
  }

  summary(): CatalogSummaryWithClashes {
    const snapshot = this.current();
    return { apps: snapshot.entries.size, invalid: snapshot.invalid, clashes: snapshot.clashes };
  }

  /** Re-reads every root now. */
  reload(): CatalogSummaryWithClashes {
    this.load();
    return this.summary();
  }

  /** The seed's categories plus every category folder found, sorted. */
  categories(): string[] {
    return [...new Set([...CATEGORIES, ...this.current().categories])].sort();
  }

  /** Increases with every load; part of the listing's ETag. */
  catalogVersion(): number {
    return this.current().version;
  }

  /**
   * The GET /applications body, serialized once per catalog version and filter. Secrets' defaults
   * never reach it: the App view already replaced them.
   */
  listing(filter: CatalogFilter = {}): CatalogListing {
    const snapshot = this.current();
    const category = filter.category ?? '';
    const terms = (filter.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const key = `${category}\u0000${terms.join(' ')}`;
    const cached = snapshot.listings.get(key);
    if (cached) return cached;
    const applications: Record<string, App[]> = {};
    const categories = this.categories();
    for (const name of categories) if (!category || name === category) applications[name] = [];
    let total = 0;
    snapshot.apps.forEach((app, index) => {
      if (category && app.category !== category) return;
      const haystack = snapshot.haystacks[index] ?? '';
      if (!terms.every((term) => haystack.includes(term))) return;
      (applications[app.category] ??= []).push(app);
      total += 1;
    });
    const body = JSON.stringify({ success: true, source: 'cli', applications, totalApps: total, categories });
    const etag = `"${snapshot.version.toString(36)}-${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`;
    let gzipped: Buffer | null = null;
    let bytes: Buffer | null = null;
    const listing: CatalogListing = { body, etag, gzipped: () => (gzipped ??= gzipSync(body)), bytes: () => (bytes ??= Buffer.from(body)) };
    if (snapshot.listings.size >= MAX_CACHED_LISTINGS) snapshot.listings.clear();
    snapshot.listings.set(key, listing);
    return listing;
  }

  /** Stops watching the catalog folders; the server calls it on shutdown. */
  close(): void {
    this.closed = true;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = null;
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }

  private scheduleReload(): void {
    if (this.closed) return;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    // Editors write a file in several steps (truncate, write, rename): reload once they are done.
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      if (!this.closed) this.load();
    }, this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    this.reloadTimer.unref();
  }

  private watchFolders(folders: string[]): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    const toWatch = new Set(folders);
    for (const root of this.options.roots) toWatch.add(root.path);
    for (const folder of toWatch) {
      try {
        const watcher = watch(folder, { persistent: false }, () => this.scheduleReload());
        watcher.on('error', () => this.scheduleReload());
        this.watchers.push(watcher);
      } catch {
        // A root that does not exist yet cannot be watched; it is reported by the loader instead.
      }
    }
  }
}
