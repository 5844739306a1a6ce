import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/contracts/catalog.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, tokenFor } from '../helpers/auth.js';
import { BROKEN_ROOT, FOREIGN_BRIDGE, NATIVE_ROOT } from './catalog-fixtures.js';

describe('GET /applications and POST /applications/reload', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({
      config: { bundledCatalogPath: NATIVE_ROOT, catalogPaths: [BROKEN_ROOT], cliBridgeHostPath: FOREIGN_BRIDGE, authEnabled: true },
    });
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('lists every app by category with the seed’s envelope, without authentication', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/applications' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = response.json();
    expect(Object.keys(body)).toEqual(['success', 'source', 'applications', 'totalApps', 'categories']);
    expect(body.success).toBe(true);
    expect(body.source).toBe('cli');
    expect(body.categories).toEqual(CATEGORIES);
    const ids = Object.values(body.applications as Record<string, { id: string }[]>).flatMap((apps) => apps.map((app) => app.id));
    expect(ids.sort()).toEqual([
      'addons-discord-bot',
      'ai-tools-open-webui',
      'downloadclients-nzbget',
      'downloadclients-qbittorrent',
      'downloadclients-qbittorrent-vpn',
      'mediamanager-sonarr',
      'mediaserver-good',
      'mediaserver-plex',
      'selfhosted-homepage',
      'system-watchtower',
    ]);
    expect(body.totalApps).toBe(10);
    expect(body.applications.mediamanager[0]).toMatchObject({
      id: 'mediamanager-sonarr',
      displayName: 'Sonarr',
      ports: { '8989': 8989 },
      web: { service: 'sonarr', port: 8989 },
    });
    expect(body.applications.mediaserver.map((app: { source: string }) => app.source)).toEqual(['custom', 'cli-bridge']);
  });

  it('lists the form an original dashboard builds: environment (variable → default) and ports (container port → host port)', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/applications?category=downloadclients' });
    const qbittorrent = response
      .json()
      .applications.downloadclients.find((app: { id: string }) => app.id === 'downloadclients-qbittorrent');
    expect(qbittorrent.environment).toEqual({
      ID: '1000',
      TZ: 'UTC',
      APPFOLDER: testApp.config.appFolder,
      MEDIAFOLDER: '/mnt/media',
      RESTARTAPP: 'unless-stopped',
    });
    expect(qbittorrent.ports).toEqual({ '8080': 8080, '6881': 6881, '6881/udp': 6881 });
    for (const app of Object.values(response.json().applications as Record<string, { environment: object; ports: object }[]>).flat()) {
      for (const value of Object.values(app.environment)) expect(typeof value).toBe('string');
      for (const value of Object.values(app.ports)) expect(Number.isInteger(value)).toBe(true);
    }
  });

  it('never shows a secret’s value or default', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/applications?category=ai-tools' });
    const app = response.json().applications['ai-tools'][0];
    expect(app.variables.filter((variable: { type: string }) => variable.type === 'secret')).toEqual([
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
    ]);
    expect(app.environment.OPEN_WEBUI_SECRET).toBe('');
    expect(response.body).not.toContain('WEBUI_SECRET_KEY');
  });

  it('filters by category and by search words', async () => {
    const byCategory = (await testApp.app.inject({ method: 'GET', url: '/applications?category=downloadclients' })).json();
    expect(Object.keys(byCategory.applications)).toEqual(['downloadclients']);
    expect(byCategory.applications.downloadclients.map((app: { id: string }) => app.id)).toEqual([
      'downloadclients-nzbget',
      'downloadclients-qbittorrent',
      'downloadclients-qbittorrent-vpn',
    ]);
    expect(byCategory.totalApps).toBe(3);
    const bySearch = (await testApp.app.inject({ method: 'GET', url: '/applications?search=BitTorrent%20web' })).json();
    expect(bySearch.totalApps).toBe(1);
    expect(bySearch.applications.downloadclients[0].id).toBe('downloadclients-qbittorrent');
    const none = (await testApp.app.inject({ method: 'GET', url: '/applications?category=nothing-here' })).json();
    expect(none).toEqual({ success: true, source: 'cli', applications: {}, totalApps: 0, categories: CATEGORIES });
  });

  it('answers 304 to a matching If-None-Match and a fresh body to a stale one', async () => {
    const first = await testApp.app.inject({ method: 'GET', url: '/applications' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[a-z0-9]+-[A-Za-z0-9_-]{20}"$/);
    const cached = await testApp.app.inject({ method: 'GET', url: '/applications', headers: { 'if-none-match': `W/${etag}` } });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    expect(cached.headers.etag).toBe(etag);
    expect(cached.headers['content-length']).toBeUndefined();
    expect(cached.headers['content-type']).toBeUndefined();
    const stale = await testApp.app.inject({ method: 'GET', url: '/applications', headers: { 'if-none-match': '"old"' } });
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(first.body);
    const filtered = await testApp.app.inject({ method: 'GET', url: '/applications?category=system', headers: { 'if-none-match': etag } });
    expect(filtered.statusCode).toBe(200);
  });

  it('sends the same body gzipped to clients that accept gzip', async () => {
    const plain = await testApp.app.inject({ method: 'GET', url: '/applications' });
    const zipped = await testApp.app.inject({ method: 'GET', url: '/applications', headers: { 'accept-encoding': 'br;q=1, gzip;q=0.8' } });
    expect(zipped.statusCode).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(zipped.headers.etag).toBe(plain.headers.etag);
    expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(plain.body);
    const refused = await testApp.app.inject({ method: 'GET', url: '/applications', headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body).toBe(plain.body);
  });

  it('rejects a malformed category or an overlong search with the error body', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: `/applications?category=../etc&search=${'x'.repeat(101)}` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Invalid request',
      details:
        'querystring.category: must be a category name (lowercase letters, digits, - and _); querystring.search: must be at most 100 characters',
      code: 'VALIDATION_FAILED',
      requestId: response.headers['x-request-id'],
      fields: [
        { path: 'querystring.category', message: 'must be a category name (lowercase letters, digits, - and _)' },
        { path: 'querystring.search', message: 'must be at most 100 characters' },
      ],
    });
  });

  it('reports broken templates in /health without failing', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(response.json().catalog).toEqual({ apps: 10, invalid: 3 });
    expect(response.json().troubleshooting).toContainEqual({
      problem: '3 catalog template(s) could not be loaded and were skipped',
      fix: 'Run npm run catalog:check (or homelabarr catalog check) to see each file and its error.',
    });
  });

  it('reloads only for an admin, answering with the broken files', async () => {
    const anonymous = await testApp.app.inject({ method: 'POST', url: '/applications/reload' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toEqual({
      error: 'Authentication required',
      details: 'Send Authorization: Bearer <token> from POST /auth/login, or an API key',
      code: 'UNAUTHENTICATED',
      requestId: anonymous.headers['x-request-id'],
    });
    const asUser = await testApp.app.inject({
      method: 'POST',
      url: '/applications/reload',
      headers: bearer(await tokenFor(testApp, 'user')),
    });
    expect(asUser.statusCode).toBe(403);
    expect(asUser.json()).toEqual({
      error: 'Not allowed',
      details: 'This action needs the admin role or higher',
      code: 'FORBIDDEN',
      requestId: asUser.headers['x-request-id'],
    });

    const before = (await testApp.app.inject({ method: 'GET', url: '/applications' })).headers.etag;
    const asAdmin = await testApp.app.inject({
      method: 'POST',
      url: '/applications/reload',
      headers: bearer(await tokenFor(testApp, 'admin')),
    });
    expect(asAdmin.statusCode).toBe(200);
    const body = asAdmin.json();
    expect(body.success).toBe(true);
    expect(body.apps).toBe(10);
    expect(body.clashes).toEqual([]);
    expect(body.invalid.map((invalid: { file: string }) => invalid.file.slice(BROKEN_ROOT.length + 1))).toEqual([
      'mediaserver/typo.yml',
      'mediaserver/unclosed.yml',
      'mediaserver/undeclared.yml',
    ]);
    const after = (await testApp.app.inject({ method: 'GET', url: '/applications' })).headers.etag;
    expect(after).not.toBe(before);
  });
});
