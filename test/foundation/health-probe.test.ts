// The health check shares one Docker probe per second, but never answers "connected" after another
// call has found the daemon gone: a flake seen under load, where /containers answered 503 and
// /health, 300 ms later, still 200 from a probe taken before Docker stopped.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/server/config.js';
import { systemClock } from '../../src/server/infra/clock.js';
import { EngineApiClient } from '../../src/server/infra/docker/engine-api-client.js';
import { DockerUnavailableError } from '../../src/server/infra/docker/engine.js';
import { HealthService } from '../../src/server/modules/health/health.service.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fakeDaemon(socketPath: string): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    if (request.url?.endsWith('/version')) {
      response.end(JSON.stringify({ Version: '28.2.2', ApiVersion: '1.50', Os: 'linux', Arch: 'amd64', KernelVersion: '6.1.0' }));
    } else response.end('[]');
  });
  return new Promise((resolve) => server.listen(socketPath, () => resolve(server)));
}

describe('health probe', () => {
  it('answers degraded at once when a call found Docker gone after the cached probe', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hlr-health-probe-'));
    dirs.push(dir);
    const socketPath = path.join(dir, 'docker.sock');
    const daemon = await fakeDaemon(socketPath);
    const docker = new EngineApiClient(`unix://${socketPath}`);
    const health = new HealthService({
      config: testConfig({ dataDir: dir }),
      docker,
      clock: systemClock,
      compose: () => ({ available: true, isV2: true, version: '2.26.1', command: 'docker', baseArgs: ['compose'] }),
      checkDatabase: () => true,
      catalogSummary: () => ({ apps: 1, invalid: [] }),
      version: 'test',
      startedAtMs: Date.now(),
    });
    expect((await health.check(true)).statusCode).toBe(200);
    await new Promise<void>((resolve) => daemon.close(() => resolve()));
    // Within the probe's one-second sharing window: a listing finds the daemon gone…
    await expect(docker.listContainers()).rejects.toBeInstanceOf(DockerUnavailableError);
    // …and the health check does not answer from the probe taken before.
    const after = await health.check(true);
    expect(after.statusCode).toBe(503);
    expect(after.body.docker.status).toBe('unavailable');
  });
});
