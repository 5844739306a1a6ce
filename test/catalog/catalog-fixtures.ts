// Paths of the catalog fixtures and a loader for single fixture entries.
import path from 'node:path';
import { loadCatalog } from '../../src/server/modules/catalog/catalog-loader.js';
import type { CatalogEntry, GlobalDefaults } from '../../src/server/modules/catalog/catalog-template.js';
import type { RenderSettings } from '../../src/server/modules/catalog/render-compose.js';

export const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'catalog');
export const NATIVE_ROOT = path.join(FIXTURES, 'native');
/** Point CLI_BRIDGE_HOST_PATH here: the templates are in its apps/ folder. */
export const FOREIGN_BRIDGE = path.join(FIXTURES, 'foreign');
export const BROKEN_ROOT = path.join(FIXTURES, 'broken');
export const BUNDLED_ROOT = path.resolve(import.meta.dirname, '..', '..', 'apps');

export const GLOBALS: GlobalDefaults = {
  ID: '1000',
  TZ: 'UTC',
  UMASK: '002',
  APPFOLDER: '/opt/appdata',
  MEDIAFOLDER: '/mnt/media',
  DOMAIN: 'home.example.com',
  RESTARTAPP: 'unless-stopped',
};

export function fixtureEntry(id: string): CatalogEntry {
  const loaded = loadCatalog(
    [
      { path: NATIVE_ROOT, source: 'bundled' },
      { path: path.join(FOREIGN_BRIDGE, 'apps'), source: 'cli-bridge' },
    ],
    GLOBALS,
  );
  const entry = loaded.entries.get(id);
  if (!entry) throw new Error(`fixture ${id} did not load: ${JSON.stringify(loaded.invalid)}`);
  return entry;
}

export function renderSettings(overrides: Partial<RenderSettings> = {}): RenderSettings {
  return {
    projectName: 'hlr-test-app',
    proxyNetwork: 'proxy',
    entrypoint: 'https',
    certResolver: 'dns-cloudflare',
    autheliaMiddleware: 'chain-authelia@file',
    domain: 'fallback.example.com',
    publishPortsInProxyModes: false,
    labels: { 'homelabarr.app-id': 'test-app' },
    ...overrides,
  };
}
