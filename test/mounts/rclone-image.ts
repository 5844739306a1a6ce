// A local stand-in for the rclone/rclone image, built offline: the busybox stub plus Debian's own
// rclone (dynamically linked against libc only) and fusermount3. Its entrypoint is rclone, like the
// official image's, so the catalog template's command runs unchanged.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../../src/server/infra/run-command.js';
import { docker, STUB_IMAGE, testEnv } from '../helpers/docker.js';

export const RCLONE_TEST_IMAGE = 'hlr-test/rclone:1';

const FILES: [string, string][] = [
  ['/usr/bin/rclone', 'rclone'],
  ['/usr/bin/fusermount3', 'fusermount3'],
  ['/lib/x86_64-linux-gnu/libc.so.6', 'libc.so.6'],
  ['/lib64/ld-linux-x86-64.so.2', 'ld-linux-x86-64.so.2'],
];

export async function buildRcloneImage(): Promise<void> {
  const images = await docker.listImages({ filters: { reference: [RCLONE_TEST_IMAGE] } });
  if (images.length > 0) return;
  const context = mkdtempSync(path.join(os.tmpdir(), 'hlr-rclone-image-'));
  try {
    for (const [source, name] of FILES) copyFileSync(source, path.join(context, name));
    writeFileSync(
      path.join(context, 'Dockerfile'),
      [
        `FROM ${STUB_IMAGE}`,
        'COPY libc.so.6 /lib/x86_64-linux-gnu/libc.so.6',
        'COPY ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2',
        'COPY rclone fusermount3 /usr/bin/',
        'RUN ["/bin/sh", "-c", "ln -s fusermount3 /usr/bin/fusermount && mkdir -p /config/rclone /cache /data /mnt/remotes"]',
        'ENTRYPOINT ["/usr/bin/rclone"]',
        '',
      ].join('\n'),
    );
    // The RUN step needs no network; --network none keeps the build independent of docker0.
    await runCommand('docker', ['build', '-q', '--network', 'none', '-t', RCLONE_TEST_IMAGE, '--label', 'homelabarr.stub=1', context], {
      env: { ...testEnv(), DOCKER_BUILDKIT: '0' },
      timeoutMs: 180_000,
    });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
