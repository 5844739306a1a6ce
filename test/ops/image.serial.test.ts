// docker tier, serial (it loads the whole machine for minutes): the product image builds from
// the Dockerfile, and its container answers /health as a non-root member of the Docker socket's
// group. No base image can be pulled here, so the base is made from Debian's archive with
// debootstrap and `docker import`, with this machine's Node.js in /usr/local, and kept as
// hlr-base:bookworm for later runs.
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/server/infra/run-command.js';
import { docker, requireDocker, testEnv, testLabels, testRunId } from '../helpers/docker.js';
import { freePort } from '../helpers/server-process.js';

const BASE_IMAGE = 'hlr-base:bookworm';
const IMAGE = `hlr-test/homelabarr-ce:${testRunId}`;
const CONTAINER = `hlrt-image-${testRunId}`;
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const ADMIN_PASSWORD = 'image-test-admin-password';

async function run(
  command: string,
  args: string[],
  timeoutMs: number,
  env: Record<string, string> = {},
  onLine?: (line: string) => void,
): Promise<string> {
  const tail: string[] = [];
  try {
    const result = await runCommand(command, args, {
      env: { ...testEnv(), ...env },
      timeoutMs,
      onLine: (line) => {
        onLine?.(line);
        tail.push(line);
        if (tail.length > 40) tail.shift();
      },
    });
    return result.stdout;
  } catch (error) {
    throw new Error(`${command} ${args.slice(0, 3).join(' ')} failed: ${(error as Error).message}\n${tail.join('\n')}`);
  }
}

async function imageExists(reference: string): Promise<boolean> {
  return (await docker.listImages({ filters: { reference: [reference] } })).length > 0;
}

/** Debian 12 minbase plus this machine's Node.js (binary, npm, headers) and CA bundle, like node:20-bookworm-slim. */
async function ensureBaseImage(): Promise<void> {
  if (await imageExists(BASE_IMAGE)) return;
  if (process.getuid?.() !== 0)
    throw new Error('Building the base image needs root (debootstrap); run the tests as root or build hlr-base:bookworm once by hand');
  if (!existsSync('/usr/sbin/debootstrap')) throw new Error('debootstrap is missing: sudo bash scripts/setup-host.sh installs it');
  const work = mkdtempSync(path.join(os.tmpdir(), 'hlr-base-'));
  try {
    const rootfs = path.join(work, 'rootfs');
    await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian'], 10 * 60_000);
    const nodePrefix = path.resolve(path.dirname(process.execPath), '..');
    mkdirSync(path.join(rootfs, 'usr/local/bin'), { recursive: true });
    mkdirSync(path.join(rootfs, 'usr/local/lib/node_modules'), { recursive: true });
    mkdirSync(path.join(rootfs, 'usr/local/include'), { recursive: true });
    mkdirSync(path.join(rootfs, 'usr/local/etc'), { recursive: true });
    copyFileSync(process.execPath, path.join(rootfs, 'usr/local/bin/node'));
    cpSync(path.join(nodePrefix, 'lib/node_modules/npm'), path.join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true });
    cpSync(path.join(nodePrefix, 'include/node'), path.join(rootfs, 'usr/local/include/node'), { recursive: true });
    await run('ln', ['-s', '../lib/node_modules/npm/bin/npm-cli.js', path.join(rootfs, 'usr/local/bin/npm')], 10_000);
    await run('ln', ['-s', '../lib/node_modules/npm/bin/npx-cli.js', path.join(rootfs, 'usr/local/bin/npx')], 10_000);
    // The registry may be reached through a TLS-inspecting proxy this machine trusts: so does the base.
    const bundle = '/etc/ssl/certs/ca-certificates.crt';
    if (existsSync(bundle)) {
      mkdirSync(path.join(rootfs, 'etc/ssl/certs'), { recursive: true });
      copyFileSync(bundle, path.join(rootfs, bundle));
      writeFileSync(path.join(rootfs, 'usr/local/etc/npmrc'), `cafile=${bundle}\n`);
    }
    const archives = path.join(rootfs, 'var/cache/apt/archives');
    for (const name of readdirSync(archives)) if (name.endsWith('.deb')) rmSync(path.join(archives, name));
    const tarball = path.join(work, 'rootfs.tar');
    await run('tar', ['-C', rootfs, '-cf', tarball, '.'], 5 * 60_000);
    await run('docker', ['import', '--change', 'CMD ["bash"]', tarball, BASE_IMAGE], 5 * 60_000);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function waitForHealth(url: string, timeoutMs: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${url} did not answer within ${timeoutMs} ms (${lastError}); container log:\n${await run('docker', ['logs', '--tail', '30', CONTAINER], 30_000).catch(() => '')}`,
  );
}

let backendPort: number;
let frontendPort: number;
/** Images of the build's steps: the stages other than the last stay behind as untagged images. */
const stepImages: string[] = [];
const socketGid = (): number => statSync('/var/run/docker.sock').gid;

beforeAll(async () => {
  await requireDocker();
  backendPort = await freePort();
  frontendPort = await freePort();
}, 60_000);

afterAll(async () => {
  await docker
    .getContainer(CONTAINER)
    .remove({ force: true })
    .catch(() => undefined);
  await docker
    .getImage(IMAGE)
    .remove({ force: true })
    .catch(() => undefined);
  for (const id of stepImages.reverse()) {
    await docker
      .getImage(id)
      .remove()
      .catch(() => undefined);
  }
}, 180_000);

describe('the product image', () => {
  it(
    'builds from the Dockerfile on a local Debian base, and its container answers /health as a non-root docker-group member',
    async () => {
      await ensureBaseImage();
      const labels = Object.entries(testLabels()).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
      // Host networking for RUN steps and the container: the default bridge is not guaranteed here.
      await run(
        'docker',
        [
          'build',
          '--force-rm',
          '--network',
          'host',
          '--build-arg',
          `BASE=${BASE_IMAGE}`,
          '--build-arg',
          `DOCKER_GID=${socketGid()}`,
          ...labels,
          '-t',
          IMAGE,
          ROOT,
        ],
        12 * 60_000,
        { DOCKER_BUILDKIT: '0' },
        (line) => {
          // Recorded as they come, so a failed build is cleaned up too.
          const step = /^ ---> ([0-9a-f]{12})$/.exec(line);
          if (step) stepImages.push(step[1] as string);
        },
      );
      const inspected = await docker.getImage(IMAGE).inspect();
      expect(inspected.Config.User).toBe('homelabarr');
      expect(inspected.Config.Healthcheck?.Test?.[0]).toBe('CMD');
      expect(Object.keys(inspected.Config.ExposedPorts ?? {}).sort()).toEqual(['8084/tcp', '8092/tcp']);

      await run(
        'docker',
        [
          'run',
          '-d',
          '--name',
          CONTAINER,
          '--init',
          '--network',
          'host',
          ...labels,
          '--health-interval',
          '2s',
          '--health-start-period',
          '5s',
          '-e',
          `BACKEND_PORT=${backendPort}`,
          '-e',
          `FRONTEND_PORT=${frontendPort}`,
          '-e',
          'BIND_ADDRESS=127.0.0.1',
          '-e',
          `ADMIN_PASSWORD=${ADMIN_PASSWORD}`,
          '-v',
          '/var/run/docker.sock:/var/run/docker.sock',
          IMAGE,
        ],
        60_000,
      );
      const health = await waitForHealth(`http://127.0.0.1:${backendPort}/health`, 90_000);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: 'healthy',
        docker: { status: 'connected', compose: { available: true } },
        database: { status: 'ok' },
      });
      const proxied = await fetch(`http://127.0.0.1:${frontendPort}/api/health`);
      expect(proxied.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${frontendPort}/docs`)).status).toBe(200);
      const login = await fetch(`http://127.0.0.1:${backendPort}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      expect(login.status).toBe(200);

      const identity = (await run('docker', ['exec', CONTAINER, 'id'], 30_000)).trim();
      expect(identity).toMatch(/^uid=10001\(homelabarr\) gid=10001\(homelabarr\) groups=10001\(homelabarr\),/);
      expect(identity).toContain(`,${socketGid()}(`);
      const doctor = await run('docker', ['exec', CONTAINER, 'homelabarr', 'doctor'], 60_000);
      expect(doctor).toContain('[ ok ] docker compose');

      const deadline = Date.now() + 60_000;
      let state = '';
      while (Date.now() < deadline && state !== 'healthy') {
        state = (await docker.getContainer(CONTAINER).inspect()).State.Health?.Status ?? '';
        if (state !== 'healthy') await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(state).toBe('healthy');
    },
    14 * 60_000,
  );
});
