// Mounts tier, whole: the catalog's rclone mount template run by docker compose (image swapped for
// a locally built rclone), a WebDAV remote served by rclone next to it, the API resolving the real
// container, and a FUSE mount inside it that another container reads through :rshared/:rslave.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineApiClient } from '../../src/server/infra/docker/engine-api-client.js';
import { HttpRcloneClient } from '../../src/server/infra/rclone-rc.js';
import { runCommand } from '../../src/server/infra/run-command.js';
import { StackFiles } from '../../src/server/infra/stack-files.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  docker,
  DOCKER_SOCKET,
  removeTestResources,
  requireDocker,
  STUB_IMAGE,
  TEST_LABEL,
  testEnv,
  testLabels,
  testRunId,
} from '../helpers/docker.js';
import { freePort } from '../helpers/server-process.js';
import { buildRcloneImage, RCLONE_TEST_IMAGE } from './rclone-image.js';

const TEMPLATE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'apps', 'system', 'rclone-mount.yml');
const APP_ID = 'system-rclone-mount';
const PROJECT = `hlrt${testRunId}rclone`;
const RC_PASS = `rc-${testRunId}-secret-pass`;
const DAV_PASS = `dav-${testRunId}-secret-pass`;
const BIG_FILE_BYTES = 256 * 1024;

let root: string;
let sharedDir: string;
let composeArgs: string[];
let rcPort: number;
let containerName: string;
let readerName: string;
let testApp: TestApp;
let isSharedMountMade = false;
let mediaFolder: string;
let appFolder: string;
const responses: string[] = [];

const env = testEnv();

async function compose(...args: string[]) {
  return runCommand('docker', [...composeArgs, ...args], { env, timeoutMs: 120_000 });
}

async function run(command: string, args: string[]) {
  return runCommand(command, args, { env, timeoutMs: 60_000 });
}

async function call(method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>): Promise<LightMyRequestResponse> {
  const response = await testApp.app.inject({ method, url, ...(payload ? { payload } : {}) });
  responses.push(response.body);
  return response;
}

/** Resolves once the container's log shows the pattern (rclone logs when the RC server is up). */
async function waitForLog(name: string, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const stream = (await docker
    .getContainer(name)
    .logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  let seen = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} never logged ${pattern}; log so far:\n${seen}`)), timeoutMs);
      stream.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        if (pattern.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      });
      stream.on('end', () => reject(new Error(`${name} stopped before logging ${pattern}:\n${seen}`)));
    });
  } finally {
    stream.destroy();
  }
}

beforeAll(async () => {
  await requireDocker();
  await buildRcloneImage();
  root = mkdtempSync(path.join(os.tmpdir(), 'hlr-mount-container-'));
  appFolder = path.join(root, 'appdata');
  mediaFolder = path.join(root, 'media');
  sharedDir = path.join(mediaFolder, 'remotes');
  const davDir = path.join(root, 'dav');
  for (const dir of [appFolder, sharedDir, davDir]) mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(davDir, 'hello.txt'), 'hello through FUSE');
  writeFileSync(path.join(davDir, 'big.bin'), Buffer.alloc(BIG_FILE_BYTES, 7));
  // Docker accepts :rshared only on a shared mount. systemd hosts mount / shared; this machine's
  // root is private, so the folder becomes a shared mount of its own, as docs/mounts.md explains.
  await run('mount', ['--bind', sharedDir, sharedDir]);
  isSharedMountMade = true;
  await run('mount', ['--make-shared', sharedDir]);

  rcPort = await freePort();
  containerName = `${PROJECT}-rclone-mount-1`;
  readerName = `${PROJECT}-reader`;
  const envFile = path.join(root, '.env');
  const envText = [
    `APPFOLDER=${appFolder}`,
    `MEDIAFOLDER=${mediaFolder}`,
    'TZ=UTC',
    'RESTARTAPP=no',
    'RCLONE_RC_USER=homelabarr',
    `RCLONE_RC_PASS=${RC_PASS}`,
    `RCLONE_RC_PORT=${rcPort}`,
    '',
  ].join('\n');
  writeFileSync(envFile, envText);
  const override = path.join(root, 'override.yml');
  writeFileSync(
    override,
    JSON.stringify({
      services: {
        'rclone-mount': {
          image: RCLONE_TEST_IMAGE,
          init: true,
          container_name: containerName,
          labels: { [TEST_LABEL]: testRunId, 'homelabarr.app-id': APP_ID },
        },
        webdav: {
          image: RCLONE_TEST_IMAGE,
          init: true,
          command: ['serve', 'webdav', '/srv', '--addr', ':8080', '--user', 'davuser', '--pass', DAV_PASS],
          volumes: [`${davDir}:/srv:ro`],
          labels: { [TEST_LABEL]: testRunId },
        },
      },
      networks: { default: { labels: { [TEST_LABEL]: testRunId } } },
    }),
  );
  composeArgs = ['compose', '-p', PROJECT, '-f', TEMPLATE, '-f', override, '--env-file', envFile];
  await compose('up', '-d');
  await waitForLog(containerName, /Serving remote control on/);

  testApp = await createTestApp({ docker: new EngineApiClient(`unix://${DOCKER_SOCKET}`), config: { authEnabled: false } });
  // What a deployment from the catalog leaves behind: the stack's .env with the generated password.
  new StackFiles(testApp.config.dataDir).write(APP_ID, { composeYaml: 'services: {}\n', envFile: envText });
}, 240_000);

afterAll(async () => {
  await new HttpRcloneClient()
    .call({ urls: [`http://127.0.0.1:${rcPort}`], user: 'homelabarr', pass: RC_PASS }, 'mount/unmountall', {}, { timeoutMs: 20_000 })
    .catch(() => undefined);
  if (composeArgs) await compose('down', '--volumes', '--remove-orphans', '--timeout', '5').catch(() => undefined);
  await removeTestResources({ runId: testRunId });
  if (isSharedMountMade) await run('umount', ['--recursive', '--lazy', sharedDir]).catch(() => undefined);
  await testApp?.close();
  if (root) rmSync(root, { recursive: true, force: true });
}, 120_000);

describe('the rclone mount container from the catalog', () => {
  it('is found by its labels and answers through its published loopback port', async () => {
    const response = await call('GET', `/enhanced-mount/${containerName}/status`);
    expect(response.statusCode).toBe(200);
    const { data } = response.json();
    expect(data.version).toMatch(/^v1\./);
    expect(data.mountPath).toBe('/mnt/remotes');
    expect(data.hostMountPath).toBe(sharedDir);
    expect(data.mounts).toEqual([]);
    expect(data.providers.webdav).toEqual({ enabled: false, status: 'not_configured', quota: null });
  });

  it('stores and tests a WebDAV remote served next to it', async () => {
    const stored = await call('POST', `/enhanced-mount/${containerName}/auth/api-key`, {
      provider: 'webdav',
      credentials: { url: 'http://webdav:8080', user: 'davuser', pass: DAV_PASS },
    });
    expect(stored.statusCode).toBe(200);
    expect(stored.json().data).toEqual({ provider: 'webdav', remote: 'webdav', configured: true, fields: ['url', 'user', 'pass'] });
    const test = await call('POST', `/enhanced-mount/${containerName}/auth/test`, { provider: 'webdav' });
    expect(test.statusCode).toBe(200);
    expect(test.json().data).toEqual({ provider: 'webdav', ok: true, latencyMs: expect.any(Number), error: null, entries: 2 });
  });

  it('mounts WebDAV with FUSE so that another container reads its files', async () => {
    // Started before the mount exists: :rslave carries the new mount into it.
    const reader = await docker.createContainer({
      name: readerName,
      Image: STUB_IMAGE,
      Cmd: ['sleep', '3600'],
      Labels: testLabels(),
      HostConfig: { Init: true, NetworkMode: 'none', Binds: [`${sharedDir}:/media:rslave`] },
    });
    await reader.start();

    const enable = await call('POST', `/enhanced-mount/${containerName}/providers/webdav/enable`);
    expect(enable.statusCode).toBe(200);
    expect(enable.json().data).toEqual({
      provider: 'webdav',
      enabled: true,
      changed: true,
      remoteCreated: false,
      mountPoint: '/mnt/remotes/webdav',
      hostPath: path.join(sharedDir, 'webdav'),
    });

    const read = await run('docker', ['exec', readerName, 'cat', '/media/webdav/hello.txt']);
    expect(read.stdout).toBe('hello through FUSE');
    const copied = await run('docker', ['exec', readerName, 'sh', '-c', 'cp /media/webdav/big.bin /tmp/big.bin && wc -c < /tmp/big.bin']);
    expect(Number(copied.stdout.trim())).toBe(BIG_FILE_BYTES);
  });

  it('reports the copy in performance and the mount in status', async () => {
    const performance = await call('GET', `/enhanced-mount/${containerName}/performance`);
    expect(performance.statusCode).toBe(200);
    const perf = performance.json().data;
    expect(perf.bytes).toBeGreaterThanOrEqual(BIG_FILE_BYTES);
    expect(perf.errors).toBe(0);
    expect(perf.vfs).toEqual([expect.objectContaining({ fs: 'webdav:', provider: 'webdav', outOfSpace: false })]);

    const status = await call('GET', `/enhanced-mount/${containerName}/status`);
    const { data } = status.json();
    expect(data.providers.webdav).toEqual({ enabled: true, status: 'mounted', quota: expect.any(Object) });
    expect(data.mounts).toEqual([
      {
        provider: 'webdav',
        fs: 'webdav:',
        mountPoint: '/mnt/remotes/webdav',
        hostPath: path.join(sharedDir, 'webdav'),
        mountedOn: expect.any(String),
      },
    ]);
  });

  it('unmounts on disable: the other container no longer sees the files, the remote stays', async () => {
    const disable = await call('POST', `/enhanced-mount/${containerName}/providers/webdav/disable`);
    expect(disable.statusCode).toBe(200);
    expect(disable.json().data).toMatchObject({ provider: 'webdav', enabled: false, changed: true });
    const listing = await run('docker', ['exec', readerName, 'ls', '-A', '/media/webdav']);
    expect(listing.stdout).toBe('');
    const providers = await call('GET', `/enhanced-mount/${containerName}/providers`);
    expect(providers.json().data.providers.find((provider: { id: string }) => provider.id === 'webdav')).toMatchObject({
      configured: true,
      enabled: false,
    });
  });

  it("never exposes the container's rclone config through the local provider", async () => {
    // Another app with the media folder bound could plant this symlink; inside the container it points at the config.
    mkdirSync(path.join(mediaFolder, 'library'));
    symlinkSync('/config/rclone', path.join(mediaFolder, 'library', 'innocent'));
    const climbing = await call('POST', `/enhanced-mount/${containerName}/providers/local/enable`, {
      remotePath: '/media/../config/rclone',
    });
    expect(climbing.statusCode).toBe(400);
    expect(climbing.json().code).toBe('VALIDATION_FAILED');
    for (const remotePath of [
      '/config/rclone',
      '/config',
      '/',
      '/data',
      '/media/library/innocent',
      '/media/library/innocent/rclone.conf',
    ]) {
      const refused = await call('POST', `/enhanced-mount/${containerName}/providers/local/enable`, { remotePath });
      expect(refused.statusCode, remotePath).toBe(400);
      expect(refused.json(), remotePath).toMatchObject({ error: 'Folder not allowed', code: 'BAD_REQUEST' });
    }
    const status = await call('GET', `/enhanced-mount/${containerName}/status`);
    expect(status.json().data.mounts).toEqual([]);
    expect(status.json().data.remotes).not.toContain('local');
    // rclone keeps its config to itself on the host too.
    expect(statSync(path.join(appFolder, 'rclone-mount', 'config', 'rclone.conf')).mode & 0o077).toBe(0);
  });

  it("mounts the media folder by default, its files readable by the apps' user and group only", async () => {
    writeFileSync(path.join(mediaFolder, 'library', 'film.txt'), 'a film');
    const enable = await call('POST', `/enhanced-mount/${containerName}/providers/local/enable`, { cacheMode: 'off' });
    expect(enable.statusCode).toBe(200);
    expect(enable.json().data).toMatchObject({
      provider: 'local',
      enabled: true,
      remoteCreated: true,
      hostPath: path.join(sharedDir, 'local'),
    });
    const exposed = path.join(sharedDir, 'local', 'library', 'film.txt');
    expect(readFileSync(exposed, 'utf8')).toBe('a film');
    expect(statSync(exposed).mode & 0o007).toBe(0);
    expect(statSync(path.join(sharedDir, 'local', 'library')).mode & 0o007).toBe(0);
    const disable = await call('POST', `/enhanced-mount/${containerName}/providers/local/disable`);
    expect(disable.json().data).toMatchObject({ provider: 'local', changed: true });
  });

  it('is a 503 once the container is stopped', async () => {
    await run('docker', ['stop', '--time', '5', containerName]);
    const response = await call('GET', `/enhanced-mount/${containerName}/performance`);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: 'rclone is not running',
      details: `The mount container ${containerName} is exited; start it and retry.`,
      code: 'RCLONE_UNAVAILABLE',
      requestId: expect.any(String),
    });
  });

  it('never answers with the RC or WebDAV password', () => {
    expect(responses.length).toBeGreaterThanOrEqual(8);
    for (const body of responses) {
      expect(body).not.toContain(RC_PASS);
      expect(body).not.toContain(DAV_PASS);
    }
  });
});
