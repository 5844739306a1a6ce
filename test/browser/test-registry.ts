// A throwaway image registry (Debian's docker-registry on 127.0.0.1, which Docker uses without
// TLS) holding one image with a layer of its own, so a deploy really pulls it and streams progress.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from '../../src/server/infra/run-command.js';
import { docker, STUB_IMAGE, testEnv, testRunId } from '../helpers/docker.js';
import { freePort } from '../helpers/server-process.js';

export type TestRegistry = { image: string; close(): Promise<void> };

async function waitUntilServing(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/v2/`)).ok) return;
    } catch {
      // Not listening yet: the registry takes a moment to start.
    }
    if (Date.now() > deadline) throw new Error('docker-registry did not start on 127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the registry in `workDir`, pushes an image of `layerBytes` random bytes, and removes it locally. */
export async function startTestRegistry(workDir: string, layerBytes = 8 * 1024 * 1024): Promise<TestRegistry> {
  const port = await freePort();
  const config = path.join(workDir, 'registry.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${workDir}/registry`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const registry = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => registry.once('exit', () => resolve()));
  await waitUntilServing(port);
  const image = `127.0.0.1:${port}/hlrb/pulled:${testRunId}`;
  const context = path.join(workDir, 'image');
  mkdirSync(context);
  writeFileSync(path.join(context, 'blob'), randomBytes(layerBytes));
  writeFileSync(path.join(context, 'Dockerfile'), `FROM ${STUB_IMAGE}\nCOPY blob /blob\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n`);
  const env = { ...testEnv(), DOCKER_BUILDKIT: '0' };
  await runCommand('docker', ['build', '-q', '-t', image, '--label', `homelabarr.test=${testRunId}`, context], { env, timeoutMs: 120_000 });
  await runCommand('docker', ['push', image], { env, timeoutMs: 120_000 });
  await docker.getImage(image).remove();
  return {
    image,
    async close() {
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
      registry.kill('SIGTERM');
      await exited;
    },
  };
}
