import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/server/modules/catalog/catalog-loader.js';
import { CatalogService, type CatalogSummaryWithClashes } from '../../src/server/modules/catalog/catalog.service.js';
import { BROKEN_ROOT, FOREIGN_BRIDGE, GLOBALS, NATIVE_ROOT } from './catalog-fixtures.js';

const FOREIGN_ROOT = path.join(FOREIGN_BRIDGE, 'apps');
const temporary: string[] = [];

function tempRoot(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hlr-catalog-'));
  temporary.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

afterEach(() => {
  for (const root of temporary.splice(0)) rmSync(root, { recursive: true, force: true });
});

const SIMPLE = (displayName: string, port: number): string => `x-homelabarr:
  displayName: ${displayName}
  description: A test app.
  web: { service: app, port: 80 }
  variables:
    APP_PORT: { type: port, default: ${port}, description: Host port }
services:
  app:
    image: nginx:1.27.0
    ports:
      - \${APP_PORT}:80
`;

describe('loadCatalog', () => {
  it('loads every template of a root by <category>-<name>, hyphens on both sides', () => {
    const loaded = loadCatalog([{ path: NATIVE_ROOT, source: 'bundled' }], GLOBALS);
    expect([...loaded.entries.keys()].sort()).toEqual([
      'ai-tools-open-webui',
      'downloadclients-qbittorrent',
      'mediamanager-sonarr',
      'system-watchtower',
    ]);
    expect(loaded.invalid).toEqual([]);
    expect(loaded.categories).toEqual(['ai-tools', 'downloadclients', 'mediamanager', 'system']);
    const webui = loaded.entries.get('ai-tools-open-webui');
    expect(webui?.app).toMatchObject({ id: 'ai-tools-open-webui', name: 'open-webui', category: 'ai-tools', source: 'bundled' });
  });

  it('lists an app with its ports, the variables a form offers with their defaults, its volumes, and never a secret', () => {
    const app = loadCatalog([{ path: NATIVE_ROOT, source: 'bundled' }], GLOBALS).entries.get('ai-tools-open-webui')?.app;
    expect(app).toEqual({
      id: 'ai-tools-open-webui',
      name: 'open-webui',
      displayName: 'Open WebUI',
      description: 'A chat interface for local language models, with its own database.',
      category: 'ai-tools',
      image: 'ghcr.io/open-webui/open-webui:v0.6.5',
      ports: { '8080': 3010 },
      environment: {
        TZ: 'UTC',
        APPFOLDER: '/opt/appdata',
        RESTARTAPP: 'unless-stopped',
        OPEN_WEBUI_IMAGE: 'ghcr.io/open-webui/open-webui:v0.6.5',
        OPEN_WEBUI_SECRET: '',
        OPEN_WEBUI_DB_PASSWORD: '',
        OPEN_WEBUI_MODELS: '/mnt/media/models',
        OPEN_WEBUI_LOG_LEVEL: 'info',
        OPEN_WEBUI_ADMIN_EMAIL: '',
      },
      volumes: ['/opt/appdata/open-webui:/app/backend/data', '/mnt/media/models:/models'],
      modes: ['standard', 'traefik', 'authelia'],
      requiresTraefik: false,
      requiresAuthelia: false,
      variables: [
        {
          name: 'TZ',
          type: 'string',
          required: true,
          description: 'Time zone, e.g. Europe/Berlin',
          pattern: '[A-Za-z0-9_+\\-/]{1,64}',
          default: 'UTC',
          global: true,
        },
        {
          name: 'APPFOLDER',
          type: 'path',
          required: true,
          description: 'Host folder holding each app’s configuration',
          default: '/opt/appdata',
          global: true,
        },
        {
          name: 'RESTARTAPP',
          type: 'enum',
          required: true,
          description: 'Restart policy',
          values: ['no', 'always', 'unless-stopped', 'on-failure'],
          default: 'unless-stopped',
          global: true,
        },
        { name: 'OPEN_WEBUI_PORT', type: 'port', default: '3010', required: false, description: 'Host port for the web UI' },
        {
          name: 'OPEN_WEBUI_IMAGE',
          type: 'string',
          default: 'ghcr.io/open-webui/open-webui:v0.6.5',
          required: false,
          description: 'Image to run',
        },
        {
          name: 'OPEN_WEBUI_SECRET',
          type: 'secret',
          default: null,
          required: false,
          description: 'Session signing key (generated if left empty)',
        },
        {
          name: 'OPEN_WEBUI_DB_PASSWORD',
          type: 'secret',
          default: null,
          required: false,
          description: 'Database password (generated if left empty)',
        },
        {
          name: 'OPEN_WEBUI_MODELS',
          type: 'path',
          default: '/mnt/media/models',
          required: false,
          description: 'Folder holding downloaded models',
        },
        {
          name: 'OPEN_WEBUI_LOG_LEVEL',
          type: 'enum',
          default: 'info',
          required: false,
          description: 'Log level',
          values: ['debug', 'info', 'warning'],
        },
        { name: 'OPEN_WEBUI_ADMIN_EMAIL', type: 'email', default: null, required: true, description: 'Email of the first admin' },
      ],
      icon: 'open-webui',
      homepage: 'https://openwebui.com',
      web: { service: 'open-webui', port: 8080 },
      services: ['open-webui', 'db'],
      privileges: [],
      source: 'bundled',
    });
  });

  it('loads foreign templates with metadata inferred from their first service and labels', () => {
    const loaded = loadCatalog([{ path: FOREIGN_ROOT, source: 'cli-bridge' }], GLOBALS);
    expect([...loaded.entries.keys()].sort()).toEqual([
      'addons-discord-bot',
      'downloadclients-nzbget',
      'downloadclients-qbittorrent-vpn',
      'mediaserver-plex',
      'selfhosted-homepage',
    ]);
    expect(loaded.invalid).toEqual([]);
    const plex = loaded.entries.get('mediaserver-plex');
    expect(plex?.app).toMatchObject({
      displayName: 'Plex',
      image: 'lscr.io/linuxserver/plex:latest',
      ports: { '32400': 32400 },
      web: { service: 'plex', port: 32400 },
      modes: ['standard', 'traefik', 'authelia'],
      requiresTraefik: true,
      requiresAuthelia: false,
      source: 'cli-bridge',
      privileges: [],
    });
    expect(plex?.template.isForeign).toBe(true);
    expect(plex?.template.variables).toEqual({
      PLEXCLAIM: { name: 'PLEXCLAIM', type: 'string', default: '', required: false, description: 'Used by the template as ${PLEXCLAIM}' },
      PLEXTHEME: {
        name: 'PLEXTHEME',
        type: 'string',
        default: 'dark',
        required: false,
        description: 'Used by the template as ${PLEXTHEME}',
      },
      PLEXIMAGE: {
        name: 'PLEXIMAGE',
        type: 'string',
        default: 'lscr.io/linuxserver/plex:latest',
        required: false,
        description: 'Used by the template as ${PLEXIMAGE}',
      },
      SECURITYOPS: {
        name: 'SECURITYOPS',
        type: 'string',
        default: 'no-new-privileges',
        required: false,
        description: 'Used by the template as ${SECURITYOPS}',
      },
      SECURITYOPSSET: {
        name: 'SECURITYOPSSET',
        type: 'string',
        default: 'true',
        required: false,
        description: 'Used by the template as ${SECURITYOPSSET}',
      },
    });
    const nzbget = loaded.entries.get('downloadclients-nzbget');
    expect(nzbget?.app).toMatchObject({ web: { service: 'nzbget', port: 6789 }, requiresTraefik: true, requiresAuthelia: true, ports: {} });
    expect(nzbget?.template.variables.NZBGETUSER?.default).toBe('nzbget');
    const vpn = loaded.entries.get('downloadclients-qbittorrent-vpn');
    expect(vpn?.app).toMatchObject({
      web: { service: 'qbittorrent', port: 8080 },
      requiresAuthelia: true,
      privileges: ['gluetun: capabilities NET_ADMIN'],
    });
    expect(vpn?.template.variables.QBITTORRENTIMAGE?.default).toBe('lscr.io/linuxserver/qbittorrent:latest');
    const bot = loaded.entries.get('addons-discord-bot');
    expect(bot?.app).toMatchObject({ web: null, modes: ['standard'], image: 'ghcr.io/example/plex-discord-bot:2.1.0' });
    const homepage = loaded.entries.get('selfhosted-homepage');
    expect(homepage?.app).toMatchObject({ ports: { '3000': 3000 }, privileges: ['homepage: mounts the Docker socket'] });
    expect(homepage?.template.compose.services.homepage?.restart).toBe('${RESTARTAPP}');
    expect(Object.keys(homepage?.template.compose ?? {})).toEqual(['services']);
  });

  it('reports broken files with the reason and still loads the good ones', () => {
    const loaded = loadCatalog([{ path: BROKEN_ROOT, source: 'custom' }], GLOBALS);
    expect([...loaded.entries.keys()]).toEqual(['mediaserver-good']);
    expect(
      loaded.invalid.map((invalid) => ({ file: path.basename(invalid.file), error: invalid.error.replace(/ at line.*/, '') })),
    ).toEqual([
      {
        file: 'typo.yml',
        error: 'x-homelabarr.variables.APP_PORT: Unrecognized key: "defualt" (quote descriptions that contain commas or colons)',
      },
      { file: 'unclosed.yml', error: 'not valid YAML: Missing closing "quote' },
      { file: 'undeclared.yml', error: 'uses ${APP_PORT} without declaring it in x-homelabarr.variables' },
    ]);
  });

  it('lets a later root win an id clash and reports the clash', () => {
    const override = tempRoot({ 'mediamanager/sonarr.yml': SIMPLE('My Sonarr', 18989) });
    const loaded = loadCatalog(
      [
        { path: NATIVE_ROOT, source: 'bundled' },
        { path: override, source: 'custom' },
      ],
      GLOBALS,
    );
    expect(loaded.entries.get('mediamanager-sonarr')?.app).toMatchObject({
      displayName: 'My Sonarr',
      source: 'custom',
      ports: { '80': 18989 },
    });
    expect(loaded.clashes).toEqual([
      {
        id: 'mediamanager-sonarr',
        file: path.join(override, 'mediamanager/sonarr.yml'),
        overridden: path.join(NATIVE_ROOT, 'mediamanager/sonarr.yml'),
      },
    ]);
  });

  it('reports a configured root that does not exist and a template with a reserved variable', () => {
    const root = tempRoot({
      'x/app.yml':
        'x-homelabarr:\n  displayName: App\n  description: Uses a compose setting.\nservices:\n  app:\n    image: "${COMPOSE_FILE}"\n',
      'x/foreign.yml': 'services:\n  foreign:\n    image: "nginx:${COMPOSE_TAG:-1.27.0}"\n',
    });
    const loaded = loadCatalog(
      [
        { path: root, source: 'custom' },
        { path: path.join(root, 'missing'), source: 'custom' },
      ],
      GLOBALS,
    );
    expect(loaded.entries.get('x-foreign')?.template.variables).toEqual({});
    expect(loaded.invalid).toEqual([
      {
        file: path.join(root, 'x/app.yml'),
        error: 'uses ${COMPOSE_FILE}; names starting with COMPOSE_, DOCKER_ or BUILDKIT_ are read by compose itself',
      },
      { file: path.join(root, 'missing'), error: 'catalog folder does not exist' },
    ]);
  });

  it('treats undeclared detected privileges as privileges even when the block declares an empty list', () => {
    const root = tempRoot({
      'system/sneaky.yml': `x-homelabarr:
  displayName: Sneaky
  description: Claims no privileges.
  privileges: []
services:
  app:
    image: alpine:3.20.3
    privileged: true
`,
    });
    const entry = loadCatalog([{ path: root, source: 'custom' }], GLOBALS).entries.get('system-sneaky');
    expect(entry?.app.privileges).toEqual(['app: privileged']);
    expect(entry?.template.hasDeclaredPrivileges).toBe(false);
  });
});

describe('CatalogService', () => {
  it('reloads by itself when a template file is added, changed or removed', async () => {
    const root = tempRoot({ 'myapps/one.yml': SIMPLE('One', 18001) });
    let notify: (summary: CatalogSummaryWithClashes) => void = () => undefined;
    const service = new CatalogService({
      roots: [{ path: root, source: 'custom' }],
      globals: GLOBALS,
      watch: true,
      debounceMs: 50,
      onLoad: (summary) => notify(summary),
    });
    try {
      expect(service.list().map((app) => app.id)).toEqual(['myapps-one']);
      const firstVersion = service.catalogVersion();
      const reloaded = new Promise<CatalogSummaryWithClashes>((resolve) => (notify = resolve));
      writeFileSync(path.join(root, 'myapps', 'two.yml'), SIMPLE('Two', 18002));
      expect((await reloaded).apps).toBe(2);
      expect(service.catalogVersion()).toBeGreaterThan(firstVersion);
      expect(service.get('myapps-two')?.app.displayName).toBe('Two');

      const changed = new Promise<CatalogSummaryWithClashes>((resolve) => (notify = resolve));
      writeFileSync(path.join(root, 'myapps', 'two.yml'), 'services: [broken');
      expect((await changed).invalid).toEqual([
        { file: path.join(root, 'myapps', 'two.yml'), error: expect.stringMatching(/^not valid YAML/) },
      ]);
      expect(service.get('myapps-two')).toBeNull();
    } finally {
      service.close();
    }
  });

  it('serves the listing as one cached string per catalog version and filter', () => {
    const service = new CatalogService({ roots: [{ path: NATIVE_ROOT, source: 'bundled' }], globals: GLOBALS, watch: false });
    const all = service.listing();
    expect(service.listing()).toBe(all);
    const body = JSON.parse(all.body);
    expect(body.totalApps).toBe(4);
    expect(body.categories).toEqual(service.categories());
    expect(body.categories).toContain('kasmworkspace');
    expect(body.applications.kasmworkspace).toEqual([]);
    const filtered = JSON.parse(service.listing({ search: 'TV series' }).body);
    expect(filtered.totalApps).toBe(1);
    expect(filtered.applications.mediamanager.map((app: { id: string }) => app.id)).toEqual(['mediamanager-sonarr']);
    const byCategory = JSON.parse(service.listing({ category: 'system' }).body);
    expect(Object.keys(byCategory.applications)).toEqual(['system']);
    service.reload();
    expect(service.listing().etag).not.toBe(all.etag);
    expect(service.get('mediamanager')).toBeNull();
    expect(service.get('ai-tools-open-webui')?.app.name).toBe('open-webui');
  });
});
