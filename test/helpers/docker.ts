// Real-Docker helpers for the docker, mounts and browser tiers: the stub image, labels, cleanup.
import { mkdtempSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { runCommand } from '../../src/server/infra/run-command.js';

export const DOCKER_SOCKET = '/var/run/docker.sock';
export const TEST_LABEL = 'homelabarr.test';
/** A scratch image holding only busybox: httpd, nc, sleep, sh. Built locally; nothing is pulled. */
export const STUB_IMAGE = 'hlr-test/busybox:1';

export const docker = new Docker({ socketPath: DOCKER_SOCKET });

/** A short id unique to this test process, used in labels and names of everything a test creates. */
export const testRunId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

export function testEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: os.homedir(), DOCKER_HOST: `unix://${DOCKER_SOCKET}` };
}

/**
 * Docker-tier tests call this first. Without a daemon they fail (never skip), and say how to get one.
 */
export async function requireDocker(): Promise<void> {
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(`This test needs a running Docker daemon (${(error as Error).message}). Run: sudo bash scripts/setup-host.sh`);
  }
}

export async function buildStubImage(tag = STUB_IMAGE): Promise<void> {
  const images = await docker.listImages({ filters: { reference: [tag] } });
  if (images.length > 0) return;
  const context = mkdtempSync(path.join(os.tmpdir(), 'hlr-stub-'));
  try {
    copyFileSync('/bin/busybox', path.join(context, 'busybox'));
    writeFileSync(
      path.join(context, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        'RUN ["/bin/mkdir", "-p", "/tmp", "/www", "/etc"]',
        'RUN ["/bin/sh", "-c", "echo stub > /www/index.html && echo root:x:0:0:root:/:/bin/sh > /etc/passwd"]',
        'CMD ["/bin/sleep", "3600"]',
        '',
      ].join('\n'),
    );
    await runCommand('docker', ['build', '-q', '-t', tag, '--label', 'homelabarr.stub=1', context], {
      env: { ...testEnv(), DOCKER_BUILDKIT: '0' },
      timeoutMs: 120_000,
    });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

export function testLabels(extra: Record<string, string> = {}): Record<string, string> {
  return { [TEST_LABEL]: testRunId, ...extra };
}

/** Removes containers, networks and volumes this run created (or, with olderThanMs, stale ones of any run). */
export async function removeTestResources(options: { runId?: string; olderThanMs?: number } = {}): Promise<void> {
  const label = options.runId ? `${TEST_LABEL}=${options.runId}` : TEST_LABEL;
  const cutoffSeconds = options.olderThanMs === undefined ? Infinity : (Date.now() - options.olderThanMs) / 1000;
  const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
  await Promise.all(
    containers
      .filter((container) => container.Created <= cutoffSeconds)
      .map((container) =>
        docker
          .getContainer(container.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined),
      ),
  );
  const networks = await docker.listNetworks({ filters: { label: [label] } });
  await Promise.all(
    networks
      .filter((network) => Date.parse(network.Created ?? '') / 1000 <= cutoffSeconds)
      .map((network) =>
        docker
          .getNetwork(network.Id)
          .remove()
          .catch(() => undefined),
      ),
  );
  const { Volumes } = await docker.listVolumes({ filters: { label: [label] } });
  await Promise.all(
    (Volumes ?? [])
      .filter((volume) => Date.parse((volume as { CreatedAt?: string }).CreatedAt ?? '') / 1000 <= cutoffSeconds)
      .map((volume) =>
        docker
          .getVolume(volume.Name)
          .remove()
          .catch(() => undefined),
      ),
  );
}
