// Mounts tier: every Enhanced Mount Manager route against a real `rclone rcd` on 127.0.0.1, real
// WebDAV and SFTP remotes served by rclone, a FUSE mount the host reads, and the OAuth flow against
// the fixture server. Docker is faked: only the container's labels matter here (the container
// test covers a real mount container).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRcloneClient } from '../../src/server/infra/rclone-rc.js';
import { runCommand } from '../../src/server/infra/run-command.js';
import { StackFiles } from '../../src/server/infra/stack-files.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';
import { freePort } from '../helpers/server-process.js';
import { startOAuthServer, type OAuthFixture } from '../fixtures/oauth-server.js';
import { serveRemote, startRcd, type RcdProcess, type ServedRemote } from './rclone-processes.js';

const APP_ID = 'system-rclone-mount';
const MOUNT = 'rclone-mount-1';

let rcd: RcdProcess;
let webdav: ServedRemote;
let sftp: ServedRemote;
let oauth: OAuthFixture;
let testApp: TestApp;
let work: string;
let mountRoot: string;
let localDir: string;
const responses: string[] = [];

async function call(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  const response = await testApp.app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  responses.push(response.body);
  return response;
}

const errorBody = (code: string, error: string, details: unknown) => ({ error, details, code, requestId: expect.any(String) });

beforeAll(async () => {
  [rcd, webdav, sftp, oauth] = await Promise.all([
    startRcd(),
    serveRemote('webdav', { 'hello.txt': 'hello from webdav', 'movie.mkv': 'x'.repeat(100_000) }),
    serveRemote('sftp', { 'notes.txt': 'sftp notes' }),
    startOAuthServer(),
  ]);
  work = mkdtempSync(path.join(os.tmpdir(), 'hlr-mounts-api-'));
  mountRoot = path.join(work, 'remotes');
  localDir = path.join(work, 'local');
  mkdirSync(mountRoot);
  mkdirSync(localDir);
  writeFileSync(path.join(localDir, 'local.txt'), 'local file');
  const oauthFile = path.join(work, 'oauth.json');
  const client = { clientId: oauth.clientId, clientSecret: oauth.clientSecret, authUrl: oauth.authUrl, tokenUrl: oauth.tokenUrl };
  writeFileSync(
    oauthFile,
    JSON.stringify({
      redirectUri: 'http://127.0.0.1:53682/',
      providers: { google: client, dropbox: client, onedrive: client, box: client },
    }),
  );

  const docker = new FakeDockerEngine();
  const mountLabels = {
    'homelabarr.app-id': APP_ID,
    'homelabarr.mount': 'rclone',
    // No container address: only the loopback URL (this rcd runs on the host).
    'homelabarr.mount.rc-port': '0',
    'homelabarr.mount.rc-url': rcd.url,
    'homelabarr.mount.path': mountRoot,
    'homelabarr.mount.host-path': mountRoot,
  };
  docker.addContainer({ name: MOUNT, image: 'rclone/rclone:1.69.1', labels: mountLabels });
  docker.addContainer({ name: 'plain-app', labels: { 'homelabarr.app-id': 'mediaserver-plex' } });
  docker.addContainer({ name: 'stray-mount', labels: { 'homelabarr.mount': 'rclone', 'homelabarr.app-id': 'myapps-unknown' } });
  const deadPort = await freePort();
  docker.addContainer({
    name: 'dead-mount',
    labels: { ...mountLabels, 'homelabarr.mount.rc-url': `http://127.0.0.1:${deadPort}`, 'homelabarr.app-id': 'myapps-dead-mount' },
  });
  docker.addContainer({ name: 'stopped-mount', state: 'exited', labels: { ...mountLabels, 'homelabarr.app-id': 'myapps-stopped-mount' } });

  testApp = await createTestApp({
    docker,
    config: { authEnabled: false, rcloneOAuthConfigPath: oauthFile, mountsMonthlyBudget: 5, mountLocalRoots: [work] },
  });
  const stacks = new StackFiles(testApp.config.dataDir);
  const envFile = `RCLONE_RC_USER=${rcd.user}\nRCLONE_RC_PASS=${rcd.pass}\n`;
  for (const appId of [APP_ID, 'myapps-dead-mount', 'myapps-stopped-mount'])
    stacks.write(appId, { composeYaml: 'services: {}\n', envFile });
});

afterAll(async () => {
  // A FUSE mount outlives a killed rclone: unmount through rclone first, then force it.
  await new HttpRcloneClient().call({ urls: [rcd.url], user: rcd.user, pass: rcd.pass }, 'mount/unmountall').catch(() => undefined);
  for (const dir of ['webdav', 'local']) {
    await runCommand('fusermount3', ['-uz', path.join(mountRoot, dir)], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      timeoutMs: 10_000,
    }).catch(() => undefined);
  }
  await testApp?.close();
  await Promise.all([rcd?.stop(), webdav?.stop(), sftp?.stop(), oauth?.close()]);
  rmSync(work, { recursive: true, force: true });
});

describe('Enhanced Mount Manager on a real rclone', () => {
  it('lists every provider with how it signs in, none configured yet', async () => {
    const response = await call('GET', `/enhanced-mount/${MOUNT}/providers`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.success).toBe(true);
    expect(body.containerId).toBe(MOUNT);
    const byId = Object.fromEntries(body.data.providers.map((provider: { id: string }) => [provider.id, provider]));
    expect(Object.keys(byId)).toEqual([
      'local',
      'google',
      'dropbox',
      'onedrive',
      'sftp',
      'webdav',
      's3',
      'b2',
      'mega',
      'box',
      'ftp',
      'smb',
      'nfs',
    ]);
    expect(byId.google).toMatchObject({ authType: 'oauth', rcloneType: 'drive', available: true, configured: false, enabled: false });
    expect(byId.webdav).toMatchObject({ authType: 'credentials', available: true, configured: false });
    expect(byId.webdav.credentialFields.map((item: { name: string; secret: boolean }) => [item.name, item.secret])).toEqual([
      ['url', false],
      ['vendor', false],
      ['user', false],
      ['pass', true],
    ]);
    expect(byId.local).toMatchObject({ authType: 'none', available: true });
    expect(byId.nfs).toMatchObject({ authType: 'none', rcloneType: null, available: false, configured: false });
    expect(byId.nfs.note).toContain('rclone has no NFS backend');
  });

  it('answers 400 for an unknown provider, in the path and in a body', async () => {
    const enable = await call('POST', `/enhanced-mount/${MOUNT}/providers/icloud/enable`);
    expect(enable.statusCode).toBe(400);
    const message = 'must be one of local, google, dropbox, onedrive, sftp, webdav, s3, b2, mega, box, ftp, smb, nfs';
    expect(enable.json()).toEqual({
      ...errorBody('VALIDATION_FAILED', 'Invalid request', `params.provider: ${message}`),
      fields: [{ path: 'params.provider', message }],
    });
    const test = await call('POST', `/enhanced-mount/${MOUNT}/auth/test`, { provider: 'icloud' });
    expect(test.statusCode).toBe(400);
    expect(test.json()).toEqual({
      ...errorBody('VALIDATION_FAILED', 'Invalid request', `body.provider: ${message}`),
      fields: [{ path: 'body.provider', message }],
    });
  });

  it('answers 400 for an invalid container id and 404 for containers that are not mount containers', async () => {
    const invalid = await call('GET', '/enhanced-mount/..%2Fetc/status');
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().code).toBe('VALIDATION_FAILED');
    const missing = await call('GET', '/enhanced-mount/no-such-container/status');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual(
      errorBody('NOT_FOUND', 'Mount container not found', 'No container has the id or name no-such-container'),
    );
    const plain = await call('GET', '/enhanced-mount/plain-app/providers');
    expect(plain.statusCode).toBe(404);
    expect(plain.json()).toEqual(
      errorBody(
        'NOT_FOUND',
        'Mount container not found',
        'plain-app is not a mount container HomelabARR deployed. Deploy the rclone mount app (system-rclone-mount) from the catalog and use its container.',
      ),
    );
    const stray = await call('GET', '/enhanced-mount/stray-mount/status');
    expect(stray.statusCode).toBe(404);
    expect(stray.json()).toEqual(
      errorBody(
        'NOT_FOUND',
        'Mount container not found',
        'stray-mount carries the mount labels, but HomelabARR holds no RC credentials for app myapps-unknown. Deploy the rclone mount app from the catalog so its credentials are generated and stored.',
      ),
    );
  });

  it('answers 503 when the mount container’s rclone does not answer or is stopped', async () => {
    const dead = await call('GET', '/enhanced-mount/dead-mount/performance');
    expect(dead.statusCode).toBe(503);
    expect(dead.json()).toEqual(
      errorBody(
        'RCLONE_UNAVAILABLE',
        'rclone is not reachable',
        expect.stringMatching(
          /^The mount container's rclone did not answer \(127\.0\.0\.1:\d+: ECONNREFUSED\)\. Check that the container is running/,
        ),
      ),
    );
    const stopped = await call('GET', '/enhanced-mount/stopped-mount/status');
    expect(stopped.statusCode).toBe(503);
    expect(stopped.json()).toEqual(
      errorBody('RCLONE_UNAVAILABLE', 'rclone is not running', 'The mount container stopped-mount is exited; start it and retry.'),
    );
  });

  it('stores WebDAV credentials without echoing them; rclone keeps the password obscured', async () => {
    const response = await call('POST', `/enhanced-mount/${MOUNT}/auth/api-key`, {
      provider: 'webdav',
      credentials: { url: webdav.url, user: webdav.user, pass: webdav.pass },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      containerId: MOUNT,
      data: { provider: 'webdav', remote: 'webdav', configured: true, fields: ['url', 'user', 'pass'] },
    });
    const stored = readFileSync(rcd.configFile, 'utf8');
    expect(stored).toContain('[webdav]');
    expect(stored).not.toContain(webdav.pass);
  });

  it('rejects credentials that do not fit the provider with a 400 naming each field', async () => {
    const response = await call('POST', `/enhanced-mount/${MOUNT}/auth/api-key`, {
      provider: 'sftp',
      credentials: { host: 'bad host!', user: 'u' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      ...errorBody(
        'VALIDATION_FAILED',
        'Invalid credentials',
        'body.credentials.host: must be a host name or IP address; body.credentials.pass: is required (Password)',
      ),
      fields: [
        { path: 'body.credentials.host', message: 'must be a host name or IP address' },
        { path: 'body.credentials.pass', message: 'is required (Password)' },
      ],
    });
    const oauthProvider = await call('POST', `/enhanced-mount/${MOUNT}/auth/api-key`, { provider: 'google', credentials: {} });
    expect(oauthProvider.statusCode).toBe(400);
    expect(oauthProvider.json()).toEqual(
      errorBody('BAD_REQUEST', 'Google Drive signs in with OAuth', `Use POST /enhanced-mount/${MOUNT}/auth/start, then auth/complete`),
    );
  });

  it('tests the WebDAV remote with a real listing', async () => {
    const response = await call('POST', `/enhanced-mount/${MOUNT}/auth/test`, { provider: 'webdav' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      containerId: MOUNT,
      data: { provider: 'webdav', ok: true, latencyMs: expect.any(Number), error: null, entries: 2 },
    });
  });

  it('turns down wrong SFTP credentials with a 400 from auth/test, then accepts the right ones', async () => {
    const stored = await call('POST', `/enhanced-mount/${MOUNT}/auth/api-key`, {
      provider: 'sftp',
      credentials: { host: '127.0.0.1', port: sftp.port, user: sftp.user, pass: 'not-the-password' },
    });
    expect(stored.statusCode).toBe(200);
    const wrong = await call('POST', `/enhanced-mount/${MOUNT}/auth/test`, { provider: 'sftp' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual(
      errorBody(
        'REMOTE_AUTH_FAILED',
        'SFTP rejected the credentials',
        expect.stringMatching(
          /unable to authenticate.*Store the right credentials with auth\/api-key \(or auth\/start\) and test again\.$/,
        ),
      ),
    );
    await call('POST', `/enhanced-mount/${MOUNT}/auth/api-key`, {
      provider: 'sftp',
      credentials: { host: '127.0.0.1', port: sftp.port, user: sftp.user, pass: sftp.pass },
    });
    const right = await call('POST', `/enhanced-mount/${MOUNT}/auth/test`, { provider: 'sftp' });
    expect(right.statusCode).toBe(200);
    expect(right.json().data).toEqual({ provider: 'sftp', ok: true, latencyMs: expect.any(Number), error: null, entries: 1 });
  });

  it('reports a remote that cannot be reached as ok:false with rclone’s reason', async () => {
    const port = await freePort();
    await call('POST', `/enhanced-mount/${MOUNT}/auth/api-key`, {
      provider: 'ftp',
      credentials: { host: '127.0.0.1', port, user: 'u', pass: 'ftp-secret' },
    });
    const response = await call('POST', `/enhanced-mount/${MOUNT}/auth/test`, { provider: 'ftp' });
    expect(response.statusCode).toBe(200);
    expect(response.json().data).toEqual({
      provider: 'ftp',
      ok: false,
      latencyMs: expect.any(Number),
      error: expect.stringContaining('connection refused'),
      entries: null,
    });
  });

  it('is a 409 to test or enable a provider that is not configured', async () => {
    const test = await call('POST', `/enhanced-mount/${MOUNT}/auth/test`, { provider: 's3' });
    expect(test.statusCode).toBe(409);
    expect(test.json()).toEqual(
      errorBody(
        'CONFLICT',
        'Amazon S3 (or S3-compatible) is not configured',
        'Store its credentials first (auth/api-key, or auth/start for OAuth providers)',
      ),
    );
    const enable = await call('POST', `/enhanced-mount/${MOUNT}/providers/box/enable`);
    expect(enable.statusCode).toBe(409);
    expect(enable.json()).toEqual(
      errorBody(
        'CONFLICT',
        'Box is not configured',
        `Store its credentials first with POST /enhanced-mount/${MOUNT}/auth/start and auth/complete`,
      ),
    );
    const nfs = await call('POST', `/enhanced-mount/${MOUNT}/providers/nfs/enable`);
    expect(nfs.statusCode).toBe(400);
    expect(nfs.json()).toEqual(
      errorBody(
        'BAD_REQUEST',
        'NFS cannot be mounted here',
        'rclone has no NFS backend: mount the export on the host (or as a Docker volume of type nfs) and point apps at it',
      ),
    );
  });

  it('enables WebDAV as a FUSE mount whose files the host reads, once', async () => {
    const response = await call('POST', `/enhanced-mount/${MOUNT}/providers/webdav/enable`, { cacheMode: 'full', cacheMaxSize: '1G' });
    expect(response.statusCode).toBe(200);
    const mountPoint = path.join(mountRoot, 'webdav');
    expect(response.json()).toEqual({
      success: true,
      containerId: MOUNT,
      data: { provider: 'webdav', enabled: true, changed: true, remoteCreated: false, mountPoint, hostPath: mountPoint },
    });
    expect(readFileSync(path.join(mountPoint, 'hello.txt'), 'utf8')).toBe('hello from webdav');
    const again = await call('POST', `/enhanced-mount/${MOUNT}/providers/webdav/enable`);
    expect(again.statusCode).toBe(200);
    expect(again.json().data).toMatchObject({ enabled: true, changed: false });
  });

  it('enables local without credentials, creating its remote', async () => {
    const response = await call('POST', `/enhanced-mount/${MOUNT}/providers/local/enable`, { remotePath: localDir, cacheMode: 'off' });
    expect(response.statusCode).toBe(200);
    expect(response.json().data).toEqual({
      provider: 'local',
      enabled: true,
      changed: true,
      remoteCreated: true,
      mountPoint: path.join(mountRoot, 'local'),
      hostPath: path.join(mountRoot, 'local'),
    });
    expect(readFileSync(path.join(mountRoot, 'local', 'local.txt'), 'utf8')).toBe('local file');
  });

  it('shows version, remotes, mounts and VFS caches in status', async () => {
    const response = await call('GET', `/enhanced-mount/${MOUNT}/status`);
    expect(response.statusCode).toBe(200);
    const { data } = response.json();
    expect(data.version).toMatch(/^v1\./);
    expect(data.remotes).toEqual(['ftp', 'local', 'sftp', 'webdav']);
    expect(data.mountPath).toBe(mountRoot);
    expect(data.providers.webdav).toEqual({ enabled: true, status: 'mounted', quota: expect.any(Object) });
    expect(data.providers.sftp).toEqual({ enabled: false, status: 'configured', quota: null });
    expect(data.providers.google).toEqual({ enabled: false, status: 'not_configured', quota: null });
    expect(data.providers.nfs).toEqual({ enabled: false, status: 'unavailable', quota: null });
    expect(data.mounts).toEqual(
      expect.arrayContaining([
        {
          provider: 'webdav',
          fs: 'webdav:',
          mountPoint: path.join(mountRoot, 'webdav'),
          hostPath: path.join(mountRoot, 'webdav'),
          mountedOn: expect.any(String),
        },
        // rclone names a local remote's fs by its bare path.
        {
          provider: 'local',
          fs: localDir,
          mountPoint: path.join(mountRoot, 'local'),
          hostPath: path.join(mountRoot, 'local'),
          mountedOn: expect.any(String),
        },
      ]),
    );
    expect(data.vfs.map((entry: { fs: string }) => entry.fs).sort()).toEqual([localDir, 'webdav:']);
  });

  it('reports transfer figures and VFS cache usage after a file is copied out of the mount', async () => {
    copyFileSync(path.join(mountRoot, 'webdav', 'movie.mkv'), path.join(work, 'movie-copy.mkv'));
    expect(readFileSync(path.join(work, 'movie-copy.mkv')).length).toBe(100_000);
    const response = await call('GET', `/enhanced-mount/${MOUNT}/performance`);
    expect(response.statusCode).toBe(200);
    const { data } = response.json();
    expect(data.bytes).toBeGreaterThanOrEqual(100_000);
    expect(data.errors).toBe(0);
    expect(data.activeTransfers).toBe(data.transferring.length);
    const cache = data.vfs.find((entry: { provider: string }) => entry.provider === 'webdav');
    expect(cache).toMatchObject({ fs: 'webdav:', outOfSpace: false, erroredFiles: 0 });
    // rclone's cache cleaner updates bytesUsed once a minute; the file count is live.
    expect(cache.cacheFiles).toBeGreaterThanOrEqual(1);
  });

  it('estimates monthly costs from the remotes’ used bytes', async () => {
    const response = await call('GET', `/enhanced-mount/${MOUNT}/costs`);
    expect(response.statusCode).toBe(200);
    const { data } = response.json();
    expect(data).toMatchObject({
      monthly: 0,
      budget: 5,
      overBudget: false,
      currency: 'USD',
      current_provider: expect.stringMatching(/^(webdav|local)$/),
    });
    expect(data.priceTable).toEqual({ asOf: '2025-06-01', documentation: 'docs/mounts.md' });
    const webdavCost = data.breakdown.find((entry: { provider: string }) => entry.provider === 'webdav');
    expect(webdavCost).toEqual({
      provider: 'webdav',
      usedBytes: 100_000 + 'hello from webdav'.length,
      usageSource: 'size',
      monthly: 0,
      plan: 'Self-hosted (no provider fee)',
      enabled: true,
      error: null,
    });
    const ftpCost = data.breakdown.find((entry: { provider: string }) => entry.provider === 'ftp');
    expect(ftpCost).toMatchObject({
      provider: 'ftp',
      usedBytes: null,
      monthly: null,
      usageSource: null,
      enabled: false,
      error: expect.stringContaining('connection refused'),
    });
  });

  describe('OAuth authorization-code flow', () => {
    async function authorize(provider: string): Promise<{ code: string; state: string }> {
      const start = await call('POST', `/enhanced-mount/${MOUNT}/auth/start`, { provider });
      expect(start.statusCode).toBe(200);
      const { data } = start.json();
      const response = await fetch(data.auth_url, { redirect: 'manual' });
      expect(response.status).toBe(302);
      const back = new URL(response.headers.get('location') ?? '');
      expect(back.origin + back.pathname).toBe('http://127.0.0.1:53682/');
      expect(back.searchParams.get('state')).toBe(data.state);
      return { code: back.searchParams.get('code') ?? '', state: data.state };
    }

    it('starts with an authorization URL carrying the client, redirect and a random state', async () => {
      const response = await call('POST', `/enhanced-mount/${MOUNT}/auth/start`, {
        provider: 'dropbox',
        redirect_uri: 'https://homelab.example/oauth/callback',
      });
      expect(response.statusCode).toBe(200);
      const { data } = response.json();
      expect(data).toEqual({
        provider: 'dropbox',
        auth_url: expect.any(String),
        state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        redirect_uri: 'https://homelab.example/oauth/callback',
        expiresAt: expect.any(String),
      });
      const url = new URL(data.auth_url);
      expect(url.origin + url.pathname).toBe(oauth.authUrl);
      expect(url.searchParams.get('client_id')).toBe(oauth.clientId);
      expect(url.searchParams.get('state')).toBe(data.state);
      expect(url.searchParams.get('redirect_uri')).toBe('https://homelab.example/oauth/callback');
    });

    it('exchanges the code for a token and stores a google remote', async () => {
      const { code, state } = await authorize('google');
      const response = await call('POST', `/enhanced-mount/${MOUNT}/auth/complete`, { provider: 'google', auth_code: code, state });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        success: true,
        containerId: MOUNT,
        data: {
          provider: 'google',
          remote: 'google',
          configured: true,
          fields: ['auth_url', 'client_id', 'client_secret', 'scope', 'token', 'token_url'],
        },
      });
      const lastRequest = oauth.tokenRequests.at(-1);
      expect(lastRequest).toMatchObject({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1:53682/',
        client_id: oauth.clientId,
      });
      const stored = readFileSync(rcd.configFile, 'utf8');
      expect(stored).toContain('[google]');
      expect(stored).toContain('type = drive');
      expect(stored).toContain(oauth.accessTokens.at(-1));
      const providers = await call('GET', `/enhanced-mount/${MOUNT}/providers`);
      expect(providers.json().data.providers.find((provider: { id: string }) => provider.id === 'google')).toMatchObject({
        configured: true,
        enabled: false,
      });
    });

    it('accepts a state only once', async () => {
      const { code, state } = await authorize('box');
      expect((await call('POST', `/enhanced-mount/${MOUNT}/auth/complete`, { provider: 'box', auth_code: code, state })).statusCode).toBe(
        200,
      );
      const replay = await call('POST', `/enhanced-mount/${MOUNT}/auth/complete`, { provider: 'box', auth_code: code, state });
      expect(replay.statusCode).toBe(400);
      expect(replay.json()).toEqual(
        errorBody(
          'BAD_REQUEST',
          'Invalid or expired OAuth state',
          'This state was not issued by auth/start for this container and provider, was already used, or is older than 10 minutes. Start again with auth/start.',
        ),
      );
    });

    it('refuses a state issued for another provider or an invented one', async () => {
      const { code, state } = await authorize('onedrive');
      const other = await call('POST', `/enhanced-mount/${MOUNT}/auth/complete`, { provider: 'dropbox', auth_code: code, state });
      expect(other.statusCode).toBe(400);
      expect(other.json().error).toBe('Invalid or expired OAuth state');
      const invented = await call('POST', `/enhanced-mount/${MOUNT}/auth/complete`, {
        provider: 'dropbox',
        auth_code: code,
        state: 'a'.repeat(43),
      });
      expect(invented.statusCode).toBe(400);
      expect(invented.json().error).toBe('Invalid or expired OAuth state');
    });

    it('is a 400 when the provider rejects the code', async () => {
      const { state } = await authorize('dropbox');
      const response = await call('POST', `/enhanced-mount/${MOUNT}/auth/complete`, {
        provider: 'dropbox',
        auth_code: 'forged-code',
        state,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(
        errorBody(
          'BAD_REQUEST',
          'The authorization code was rejected',
          `The token endpoint at ${new URL(oauth.url).host} answered: invalid_grant: The code is unknown, used, or was issued for another redirect_uri. Start again with auth/start; a code can be used only once.`,
        ),
      );
    });

    it('is a 400 to start OAuth for a provider that signs in otherwise', async () => {
      const response = await call('POST', `/enhanced-mount/${MOUNT}/auth/start`, { provider: 'webdav' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(
        errorBody(
          'BAD_REQUEST',
          'WebDAV does not use OAuth',
          `The OAuth providers are google, dropbox, onedrive and box; for webdav, store its credentials with POST /enhanced-mount/${MOUNT}/auth/api-key`,
        ),
      );
    });
  });

  it('disables WebDAV: the mount goes, the remote stays', async () => {
    const response = await call('POST', `/enhanced-mount/${MOUNT}/providers/webdav/disable`);
    expect(response.statusCode).toBe(200);
    const mountPoint = path.join(mountRoot, 'webdav');
    expect(response.json()).toEqual({
      success: true,
      containerId: MOUNT,
      data: { provider: 'webdav', enabled: false, changed: true, mountPoint, hostPath: mountPoint },
    });
    expect(readdirSync(mountPoint)).toEqual([]);
    const again = await call('POST', `/enhanced-mount/${MOUNT}/providers/webdav/disable`);
    expect(again.json().data).toEqual({ provider: 'webdav', enabled: false, changed: false, mountPoint: null, hostPath: mountPoint });
    const providers = await call('GET', `/enhanced-mount/${MOUNT}/providers`);
    expect(providers.json().data.providers.find((provider: { id: string }) => provider.id === 'webdav')).toMatchObject({
      configured: true,
      enabled: false,
    });
    await call('POST', `/enhanced-mount/${MOUNT}/providers/local/disable`);
  });

  it('records mount changes in the activity log without secrets', () => {
    const { activities: entries } = testApp.ctx.services.activity.list({ limit: 100, offset: 0 });
    const actions = entries.map((entry) => `${entry.action} ${String(entry.details.provider)}`);
    expect(actions).toEqual(
      expect.arrayContaining(['mount.credentials webdav', 'mount.enable webdav', 'mount.disable webdav', 'mount.oauth_complete google']),
    );
    const logged = JSON.stringify(entries);
    for (const secret of [webdav.pass, sftp.pass, 'ftp-secret', oauth.clientSecret]) expect(logged).not.toContain(secret);
  });

  it('never answers with a password, a key or a token', () => {
    expect(responses.length).toBeGreaterThan(30);
    const all = responses.join('\n');
    for (const secret of [
      webdav.pass,
      sftp.pass,
      rcd.pass,
      'ftp-secret',
      'not-the-password',
      oauth.clientSecret,
      ...oauth.accessTokens,
      ...oauth.refreshTokens,
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
