// Docker tier: a deploy pulls its image from a real registry (Debian's docker-registry on
// 127.0.0.1, which Docker talks to without TLS) and reports per-layer byte progress.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/server/infra/run-command.js';
import { docker, requireDocker, STUB_IMAGE, testEnv, testRunId } from '../helpers/docker.js';
import {
  DEPLOY_FIXTURES,
  deployAndWait,
  getJson,
  removeDeployResources,
  startDeployApp,
  type DeployHarness,
} from '../helpers/deploy-harness.js';
import { freePort } from '../helpers/server-process.js';

let registry: ChildProcess | null = null;
let work = '';
let image = '';
let h: DeployHarness | null = null;

async function waitForRegistry(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/v2/`)).ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('docker-registry did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  await requireDocker();
  work = mkdtempSync(path.join(os.tmpdir(), 'hlr-registry-'));
  const port = await freePort();
  writeFileSync(
    path.join(work, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${work}/data`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  registry = spawn('/usr/bin/docker-registry', ['serve', path.join(work, 'config.yml')], { stdio: 'ignore' });
  await waitForRegistry(port);

  // An image with a layer of its own (random bytes), so the pull downloads it instead of finding it locally.
  image = `127.0.0.1:${port}/hlrt/pulled:${testRunId}`;
  const context = path.join(work, 'context');
  mkdirSync(context);
  writeFileSync(path.join(context, 'blob'), randomBytes(6 * 1024 * 1024));
  writeFileSync(path.join(context, 'Dockerfile'), `FROM ${STUB_IMAGE}\nCOPY blob /blob\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n`);
  const env = { ...testEnv(), DOCKER_BUILDKIT: '0' };
  await runCommand('docker', ['build', '-q', '-t', image, '--label', `homelabarr.test=${testRunId}`, context], { env, timeoutMs: 120_000 });
  await runCommand('docker', ['push', image], { env, timeoutMs: 120_000 });
  await docker.getImage(image).remove();

  // A catalog root holding a template that names the pushed image.
  const catalog = path.join(work, 'catalog');
  cpSync(DEPLOY_FIXTURES, catalog, { recursive: true });
  writeFileSync(
    path.join(catalog, 'hlrtest', 'pulled.yml'),
    [
      'x-homelabarr:',
      '  displayName: HLR Test Pulled',
      '  description: Runs an image pulled from the test registry.',
      '  modes: [standard]',
      '  variables:',
      '    HLR_TEST_RUN: { type: string, default: none }',
      'services:',
      '  app:',
      `    image: ${image}`,
      '    init: true',
      '    labels:',
      '      homelabarr.test: ${HLR_TEST_RUN}',
      '',
    ].join('\n'),
  );
  h = await startDeployApp('p', { catalogPaths: [catalog] });
});

afterAll(async () => {
  await h?.t.ctx.services.deployments.settled();
  await h?.t.close();
  if (h) await removeDeployResources(h.prefix);
  await docker
    .getImage(image)
    .remove({ force: true })
    .catch(() => undefined);
  registry?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('pulling from a registry', () => {
  it('pulls a missing image through the Engine API with per-layer byte progress', { timeout: 120_000 }, async () => {
    expect(
      await docker
        .getImage(image)
        .inspect()
        .catch(() => null),
    ).toBeNull();
    const { id, deployment } = await deployAndWait(h!, { appId: 'hlrtest-pulled', config: { HLR_TEST_RUN: testRunId } });
    expect(deployment).toMatchObject({ status: 'completed', result: { containers: [{ image, state: 'running' }] } });

    const list = (await getJson(`${h!.url}/deployments/${id}/events?limit=1000`)).body.events as {
      event: string;
      data: Record<string, unknown>;
    }[];
    const progress = list.filter((item) => item.event === 'pull-progress').map((item) => item.data);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toMatchObject({ image, status: 'pulling' });
    expect(progress[0]?.percent).toBeLessThan(100);
    const last = progress.at(-1) as {
      percent: number;
      bytesDone: number;
      bytesTotal: number;
      status: string;
      layers: Record<string, { status: string; current: number; total: number }>;
    };
    expect(last).toMatchObject({ image, percent: 100, status: 'complete' });
    expect(last.bytesTotal).toBeGreaterThan(6 * 1024 * 1024);
    expect(last.bytesDone).toBe(last.bytesTotal);
    const downloaded = Object.values(last.layers).filter((layer) => layer.total > 0);
    expect(downloaded.length).toBeGreaterThanOrEqual(1);
    for (const layer of downloaded) expect(layer).toEqual({ status: 'Pull complete', current: layer.total, total: layer.total });
    expect(Object.values(last.layers).some((layer) => layer.status === 'Already exists')).toBe(true);
    const percents = progress.map((item) => item.percent as number);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    expect(
      list.find((item) => item.event === 'deployment-step' && item.data.step === 'pull' && item.data.status === 'completed')?.data.message,
    ).toBe(`Pulled ${image}`);
  });
});
