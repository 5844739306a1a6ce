// DATA_DIR on a full disk: a small tmpfs mounted for the test holds the database and the stacks,
// and a filler file takes every free byte. Writes fail with a clear 507 (never a 500 or a crash),
// reads keep working, deploys are refused before anything is written, and once space is back the
// same process works again and the database passes integrity_check.
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/server/infra/run-command.js';
import type { ApiKeysRepository } from '../../src/server/modules/auth/api-keys.repository.js';
import type { SessionsRepository } from '../../src/server/modules/auth/sessions.repository.js';
import { UsageTracker } from '../../src/server/modules/auth/usage-tracker.js';
import { testRunId } from '../helpers/docker.js';
import { freePort, startServer, TEST_ADMIN_PASSWORD, type ServerProcess } from '../helpers/server-process.js';
import { FigureRecorder } from './figures.js';
import { adminSession, pollUntil, type ApiClient } from './http-client.js';
import { startPrivateDocker, type PrivateDocker } from './private-docker.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');
const ENV = { env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' }, timeoutMs: 20_000 };
const figures = new FigureRecorder('disk-full');

let daemon: PrivateDocker;
let server: ServerProcess;
let api: ApiClient;
let dataDir: string;
const filler = (): string => path.join(dataDir, 'filler.bin');

/** Writes until the file system says ENOSPC. */
function fillDisk(): number {
  const fd = openSync(filler(), 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let written = 0;
  try {
    for (;;) {
      try {
        written += writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw error;
      }
    }
    // The last partial block, byte by byte in small pieces.
    for (const size of [4096, 512, 1]) {
      for (;;) {
        try {
          written += writeSync(fd, chunk.subarray(0, size));
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

beforeAll(async () => {
  daemon = await startPrivateDocker('diskfull');
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'hlr-diskfull-'));
  // A tmpfs of 16 MiB: room for the database, far below the 256 MiB a deploy asks for.
  await runCommand('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', dataDir], ENV);
  server = await startServer({
    DATA_DIR: dataDir,
    DOCKER_HOST: daemon.host,
    CATALOG_PATHS: FIXTURES,
    COMPOSE_PROJECT_PREFIX: `hlrd${testRunId}`,
  });
  ({ api } = await adminSession(server.backendUrl, figures));
}, 120_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  await daemon?.destroy();
  if (dataDir) {
    await runCommand('umount', [dataDir], ENV).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
  figures.write();
}, 120_000);

const DISK_FULL = {
  error: 'The disk is full',
  details: expect.stringMatching(
    /^The disk holding DATA_DIR has no free space left, so nothing could be saved\. Free some space .+ and retry\.$/,
  ),
  code: 'INSUFFICIENT_STORAGE',
  requestId: expect.any(String),
};

describe('a full disk under DATA_DIR', () => {
  it('refuses a deploy before writing anything when DATA_DIR lacks the space a deploy needs', async () => {
    const answer = await api.post('/deploy', {
      appId: 'hlrtest-web',
      config: { WEB_PORT: await freePort(), HLR_TEST_RUN: testRunId },
      mode: { type: 'standard' },
    });
    expect(answer.status).toBe(200);
    const id = answer.body.deploymentId as string;
    const deployment = await pollUntil('the deploy ends', async () => {
      const status = (await api.get(`/deployments/${id}/status`)).body.deployment as Record<string, unknown>;
      return ['failed', 'completed'].includes(status.status as string) ? status : undefined;
    });
    expect(deployment).toMatchObject({
      status: 'failed',
      step: 'preflight',
      error: expect.stringMatching(
        /^Only \d+ MiB are free on the disk holding DATA_DIR \(.+\); at least 256 MiB are needed\. Free some space/,
      ),
    });
    expect(await daemon.client.listContainers({ all: true })).toEqual([]);
  });

  it('answers writes with 507, keeps answering reads, survives, and works again once space is freed', async () => {
    const bytes = fillDisk();
    expect(statfsSync(dataDir).bavail).toBe(0);
    figures.fault();
    figures.note('filler bytes', bytes);

    const outcomes: number[] = [];
    // Logging in writes a session; registering writes a user; a deploy writes its row and events.
    const login = await api.call('POST', '/auth/login', { body: { username: 'admin', password: TEST_ADMIN_PASSWORD }, token: null });
    outcomes.push(login.status);
    expect(login.status).toBe(507);
    expect(login.body).toEqual(DISK_FULL);
    const register = await api.post('/auth/register', { username: 'full-disk-user', password: 'full-disk-password', role: 'viewer' });
    outcomes.push(register.status);
    expect(register.status).toBe(507);
    expect(register.body).toEqual(DISK_FULL);
    const deploy = await api.post('/deploy', {
      appId: 'hlrtest-web',
      config: { WEB_PORT: await freePort(), HLR_TEST_RUN: testRunId },
      mode: { type: 'standard' },
    });
    outcomes.push(deploy.status);
    expect(deploy.status).toBe(507);
    expect(deploy.body).toEqual(DISK_FULL);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const star = await api.post('/auth/me/stars/hlrtest-web');
      outcomes.push(star.status);
    }
    expect(outcomes.filter((status) => status >= 500 && status !== 507)).toEqual([]);

    // Reads need no space.
    for (const url of ['/health', '/applications', '/containers', '/deployments', '/auth/me', '/deployment-modes']) {
      const answer = await api.get(url);
      expect([url, answer.status]).toEqual([url, 200]);
    }
    expect(server.process.exitCode).toBeNull();

    rmSync(filler());
    const again = await api.call('POST', '/auth/login', { body: { username: 'admin', password: TEST_ADMIN_PASSWORD }, token: null });
    expect(again.status).toBe(200);
    expect(
      (await api.post('/auth/register', { username: 'after-full-disk', password: 'after-full-password', role: 'viewer' })).status,
    ).toBe(200);
    const users = (await api.get('/auth/users')).body as unknown as { username: string }[];
    expect(users.map((user) => user.username).sort()).toEqual(['admin', 'after-full-disk']);
  });

  it('shuts down cleanly on a full disk, and the next start on the same DATA_DIR finds a sound database', async () => {
    fillDisk();
    expect((await api.get('/auth/me')).status).toBe(200);
    expect(await server.stop('SIGTERM')).toBe(0);
    figures.fault();
    rmSync(filler());
    const db = new Database(path.join(dataDir, 'homelabarr.db'));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    server = await startServer({
      DATA_DIR: dataDir,
      DOCKER_HOST: daemon.host,
      CATALOG_PATHS: FIXTURES,
      COMPOSE_PROJECT_PREFIX: `hlrd${testRunId}`,
    });
    ({ api } = await adminSession(server.backendUrl, figures));
    const users = (await api.get('/auth/users')).body as unknown as { username: string }[];
    expect(users.map((user) => user.username).sort()).toEqual(['admin', 'after-full-disk']);
  });
});

describe('batched last-seen times on a full disk', () => {
  const diskFull = (): never => {
    throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
  };

  it('keeps the times of a failed flush for the next one, and a failing timer flush does not end the process', async () => {
    let isFull = true;
    const written: string[] = [];
    const sessions = {
      touchMany: (seen: Map<string, string>) => (isFull ? diskFull() : written.push(...seen.keys())),
    } as unknown as SessionsRepository;
    const apiKeys = {
      touchMany: (used: Map<string, string>) => (isFull ? diskFull() : written.push(...used.keys())),
    } as unknown as ApiKeysRepository;
    const tracker = new UsageTracker(sessions, apiKeys);
    tracker.noteSession('ses_a', Date.parse('2025-01-01T00:00:00.000Z'));
    tracker.noteKey('key_a', Date.parse('2025-01-01T00:00:00.000Z'));
    expect(() => tracker.flush()).toThrow('database or disk is full');
    tracker.noteSession('ses_a', Date.parse('2025-01-01T00:05:00.000Z'));
    expect(tracker.sessionLastSeen('ses_a')).toBe('2025-01-01T00:05:00.000Z');
    expect(tracker.keyLastUsed('key_a')).toBe('2025-01-01T00:00:00.000Z');
    // Ticks that throw would be uncaught exceptions (and fail this test file) without the guard.
    tracker.start(5);
    await new Promise((resolve) => setTimeout(resolve, 40));
    isFull = false;
    await new Promise((resolve) => setTimeout(resolve, 40));
    tracker.stop();
    expect(written.sort()).toEqual(['key_a', 'ses_a']);
    expect(tracker.sessionLastSeen('ses_a')).toBeUndefined();
    isFull = true;
    tracker.noteSession('ses_b', Date.parse('2025-01-01T00:10:00.000Z'));
    expect(() => tracker.stop()).not.toThrow();
  });
});
