import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireDocker } from '../helpers/docker.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';

let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
});

describe('the server process', () => {
  it('serves the API on the backend port and under /api on the dashboard port, healthy with Docker up', async () => {
    await requireDocker();
    server = await startServer();
    const direct = await fetch(`${server.backendUrl}/health`);
    expect(direct.status).toBe(200);
    expect(await direct.json()).toMatchObject({ status: 'healthy', docker: { status: 'connected', compose: { available: true } } });
    const proxied = await fetch(`${server.frontendUrl}/api/health`);
    expect(proxied.status).toBe(200);
    expect((await proxied.json()).status).toBe('healthy');
    const modes = await fetch(`${server.frontendUrl}/api/deployment-modes`);
    expect((await modes.json()).cliAvailable).toBe(true);
  });

  it('serves the dashboard page for client routes on the dashboard port only', async () => {
    server = await startServer();
    const page = await fetch(`${server.frontendUrl}/containers`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('HomelabARR CE');
    const apiPort = await fetch(`${server.backendUrl}/containers-page-that-does-not-exist`);
    expect(apiPort.status).toBe(404);
    expect((await apiPort.json()).code).toBe('ROUTE_NOT_FOUND');
  });

  it('starts in catalog-only mode without Docker, says how to get it, and exits cleanly on SIGTERM', async () => {
    server = await startServer({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    const response = await fetch(`${server.backendUrl}/health`);
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body.docker.status).toBe('unavailable');
    expect(body.troubleshooting[0].fix).toContain('scripts/setup-host.sh');
    expect(server.output()).toContain('catalog-only mode');
    expect(await server.stop('SIGTERM')).toBe(0);
  });

  it('refuses to start with an invalid setting and names it', async () => {
    server = await startServer({ BACKEND_PORT: '99999' }, { waitForReady: false });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('BACKEND_PORT="99999": must be between 1 and 65535');
  });

  it('refuses to run a second server on the same DATA_DIR', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hlr-lock-'));
    server = await startServer({ DATA_DIR: dataDir });
    const second = await startServer({ DATA_DIR: dataDir }, { waitForReady: false });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('Another HomelabARR server');
  });
});
