// The built server as a process: docs on both ports, metrics that move under real load, and a
// backup taken while the server keeps writing. Needs `npm run build:server` (npm test builds).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Options, type Result } from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/server/cli.js';
import { OTHER_WRITERS_CHECK_MS } from '../../src/server/modules/auth/credential-cache.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { appOnDataDir, recordingIo } from './ops-helpers.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';
const ADMIN_PASSWORD = 'test-admin-password-1';

let server: ServerProcess;
let scratch: string;

async function scrape(): Promise<ReturnType<typeof parsePrometheusText>> {
  const response = await fetch(`${server.backendUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  return parsePrometheusText(await response.text());
}

function load(url: string, amount: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 16, amount } as Options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'hlr-server-ops-'));
  server = await startServer({ METRICS_TOKEN, ADMIN_PASSWORD });
});

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the server process', () => {
  it('serves /docs and /openapi.json on both ports, and under /api on the dashboard port', async () => {
    const urls = [`${server.backendUrl}/openapi.json`, `${server.frontendUrl}/openapi.json`, `${server.frontendUrl}/api/openapi.json`];
    const documents = await Promise.all(urls.map(async (url) => (await fetch(url)).text()));
    expect(JSON.parse(documents[0] as string).openapi).toBe('3.1.0');
    expect(new Set(documents).size).toBe(1);
    for (const url of [`${server.backendUrl}/docs`, `${server.frontendUrl}/docs`, `${server.frontendUrl}/api/docs`]) {
      const page = await fetch(url);
      expect(page.status, url).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<h1>HomelabARR CE API');
    }
  });

  it('counts every request of a load test, on both ports, under the route pattern', async () => {
    const before = await scrape();
    const direct = await load(`${server.backendUrl}/applications`, 1500);
    const proxied = await load(`${server.frontendUrl}/api/applications`, 500);
    expect(direct.statusCodeStats['200']?.count).toBe(1500);
    expect(proxied.statusCodeStats['200']?.count).toBe(500);
    const after = await scrape();
    const labels = { method: 'GET', route: '/applications', status: '200' };
    const delta = (name: string, extra: Record<string, string> = {}): number =>
      (sampleValue(after, name, { ...labels, ...extra }) ?? 0) - (sampleValue(before, name, { ...labels, ...extra }) ?? 0);
    expect(delta('homelabarr_http_requests_total')).toBe(2000);
    expect(delta('homelabarr_http_request_duration_seconds_count')).toBe(2000);
    expect(delta('homelabarr_http_request_duration_seconds_bucket', { le: '+Inf' })).toBe(2000);
    expect(delta('homelabarr_http_request_duration_seconds_bucket', { le: '1' })).toBeGreaterThan(0);
    expect(sampleValue(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(after, 'nodejs_eventloop_delay_max_seconds')).toBeGreaterThan(0);
  });

  it('takes a consistent backup while the server keeps writing, and the backup restores', async () => {
    let writes = 0;
    let isWriting = true;
    // Each login writes a session row: the database changes all through the backup.
    const writer = (async () => {
      while (isWriting) {
        const response = await fetch(`${server.backendUrl}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
        });
        expect(response.status).toBe(200);
        writes += 1;
      }
    })();
    while (writes < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    const file = path.join(scratch, 'live.tar.gz');
    const backup = recordingIo({ DATA_DIR: server.dataDir });
    const code = await runCli(['backup', file], backup);
    isWriting = false;
    await writer;
    expect(code, backup.errors).toBe(0);

    const restoredDir = path.join(scratch, 'restored');
    const restore = recordingIo({ DATA_DIR: restoredDir });
    expect(await runCli(['restore', file], restore), restore.errors).toBe(0);
    const { app, close } = await appOnDataDir(restoredDir);
    try {
      const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
      expect(login.statusCode).toBe(200);
    } finally {
      await close();
    }
  });

  it('ends sessions on the next request when the CLI resets a password while the server runs', async () => {
    const username = 'cli-reset-user';
    const created = recordingIo({ DATA_DIR: server.dataDir }, 'first-password-of-cli-user\n');
    expect(await runCli(['create-user', username, '--role', 'viewer', '--password-stdin'], created), created.errors).toBe(0);
    const login = await fetch(`${server.backendUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'first-password-of-cli-user' }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const me = () => fetch(`${server.backendUrl}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    // Repeated requests: the server answers these from its credential cache.
    for (let i = 0; i < 5; i += 1) expect((await me()).status).toBe(200);
    // The server checks for other processes' writes at most every OTHER_WRITERS_CHECK_MS; after a
    // pause that long (an idle server), the first request after the reset must see it.
    await new Promise((resolve) => setTimeout(resolve, OTHER_WRITERS_CHECK_MS));

    const reset = recordingIo({ DATA_DIR: server.dataDir }, 'second-password-of-cli-user\n');
    expect(await runCli(['reset-password', username, '--password-stdin'], reset), reset.errors).toBe(0);
    const afterReset = await me();
    expect(afterReset.status).toBe(401);
    expect(((await afterReset.json()) as { error: string }).error).toBe('Session ended');
  });
});
