// A Docker daemon of the test's own, so fault tests can stop and start "Docker" without touching the
// shared daemon other tests use. It keeps every path under /tmp/hlr-fault-<name>-<pid>/ (socket,
// data root, exec root with its own containerd), creates no iptables rules, allocates its networks
// from an address pool of its own, and runs in a network namespace of its own (`unshare --net`):
// dockerd deletes the interface named docker0 when started with --bridge=none, and when restarted on
// a data root whose default bridge is a custom one, which on the host would take the shared
// daemon's bridge away. Ports it publishes are therefore reachable only inside that namespace:
// fetchText() asks from there. The stub image is copied into it from the shared daemon (docker
// save | docker load), so nothing is pulled.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { runCommand } from '../../src/server/infra/run-command.js';
import { docker as sharedDocker, requireDocker, STUB_IMAGE } from '../helpers/docker.js';

export type PrivateDocker = {
  root: string;
  /** DOCKER_HOST for the server under test: unix:///tmp/hlr-fault-…/docker.sock */
  host: string;
  client: Docker;
  isRunning(): boolean;
  /** SIGTERM to this daemon's pid; resolves once it has exited (its containers stop with it). */
  stop(): Promise<void>;
  /** Starts the daemon again on the same data root and waits for /_ping. */
  start(): Promise<void>;
  /** Removes everything it holds, stops it and deletes its folders. */
  destroy(): Promise<void>;
  log(): string;
  /** GET a URL from inside the daemon's network namespace (where its published ports are), body as text. */
  fetchText(url: string): Promise<string>;
};

const READY_TIMEOUT_MS = 30_000;

async function waitForPing(client: Docker, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      await client.ping();
      return;
    } catch {
      if (child.exitCode !== null) throw new Error(`the private dockerd exited with ${child.exitCode}:\n${log().slice(-3000)}`);
      if (Date.now() > deadline)
        throw new Error(`the private dockerd did not answer /_ping within ${READY_TIMEOUT_MS} ms:\n${log().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A /16 per daemon name, from 10.100.0.0 to 10.199.0.0, so two private daemons never pick the same subnet. */
function addressPool(name: string): string {
  const digest = createHash('sha256').update(`${name}-${process.pid}`).digest();
  return `base=10.${100 + ((digest[0] ?? 0) % 100)}.0.0/16,size=24`;
}

const TOOL_ENV = { env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' }, timeoutMs: 15_000 };

export async function startPrivateDocker(name: string): Promise<PrivateDocker> {
  await requireDocker();
  const root = `/tmp/hlr-fault-${name}-${process.pid.toString(36)}`;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const socket = path.join(root, 'docker.sock');
  const client = new Docker({ socketPath: socket, timeout: 60_000 });
  let child: ChildProcess | null = null;
  let output = '';
  const pool = addressPool(name);

  const kill = (): void => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);

  async function start(): Promise<void> {
    // `unshare --net` execs dockerd in place, so the child's pid is dockerd's and SIGTERM reaches it.
    // (`ip netns exec` would also remount /sys and hide the cgroup mounts dockerd needs.)
    const process_ = spawn(
      'unshare',
      [
        '--net',
        '--',
        'dockerd',
        '--host',
        `unix://${socket}`,
        '--data-root',
        path.join(root, 'data'),
        '--exec-root',
        path.join(root, 'exec'),
        '--pidfile',
        path.join(root, 'docker.pid'),
        '--bridge=none',
        '--iptables=false',
        '--ip-masq=false',
        '--default-address-pool',
        pool,
        '--shutdown-timeout',
        '3',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = process_;
    process_.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    process_.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForPing(client, process_, () => output);
    // A new namespace starts with its loopback down; published ports listen on it.
    await runCommand('nsenter', ['-t', String(process_.pid), '-n', 'ip', 'link', 'set', 'lo', 'up'], TOOL_ENV);
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    await exited;
  }

  await start();
  const images = await client.listImages({ filters: { reference: [STUB_IMAGE] } });
  if (images.length === 0) {
    const tar = await sharedDocker.getImage(STUB_IMAGE).get();
    const loading = await client.loadImage(tar);
    await new Promise<void>((resolve, reject) => {
      loading.on('end', () => resolve());
      loading.on('error', reject);
      loading.resume();
    });
  }

  return {
    root,
    host: `unix://${socket}`,
    client,
    isRunning: () => child !== null && child.exitCode === null && child.signalCode === null,
    stop,
    start,
    log: () => output,
    async fetchText(url) {
      const pid = child?.pid;
      if (!pid || child?.exitCode !== null) throw new Error('the private dockerd is not running');
      const result = await runCommand('nsenter', ['-t', String(pid), '-n', 'busybox', 'wget', '-q', '-O', '-', url], TOOL_ENV);
      return result.stdout;
    },
    async destroy() {
      if (!(child && child.exitCode === null)) await start().catch(() => undefined);
      const containers = await client.listContainers({ all: true }).catch(() => []);
      await Promise.all(
        containers.map((container) =>
          client
            .getContainer(container.Id)
            .remove({ force: true, v: true })
            .catch(() => undefined),
        ),
      );
      const networks = (await client.listNetworks().catch(() => [])).filter(
        (network) => !['bridge', 'host', 'none'].includes(network.Name),
      );
      await Promise.all(
        networks.map((network) =>
          client
            .getNetwork(network.Id)
            .remove()
            .catch(() => undefined),
        ),
      );
      await client.pruneVolumes().catch(() => undefined);
      // The namespace, and every bridge in it, goes away with the daemon.
      await stop();
      process.removeListener('exit', kill);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
