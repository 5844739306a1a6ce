// The self-hosting files: compose.yaml is valid for compose v2 and wires what the docs say, the
// systemd unit and the Dockerfile hold their promises, the Grafana dashboard only queries metrics
// the server exports, the docs list every metric, and `npx homelabarr` runs the CLI.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/server/infra/run-command.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testEnv } from '../helpers/docker.js';
import { parsePrometheusText, type Family } from './prometheus-text.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const METRICS_TOKEN = 'deploy-files-metrics-token-000';

let t: TestApp;
let families: Map<string, Family>;

beforeAll(async () => {
  t = await createTestApp({ config: { metricsToken: METRICS_TOKEN } });
  await t.app.inject({ url: '/health' });
  const response = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  families = parsePrometheusText(response.body);
});

afterAll(async () => {
  await t.close();
});

/** Sample names a family can have: histograms add _bucket, _sum and _count. */
function exportedNames(): Set<string> {
  const names = new Set<string>();
  for (const family of families.values()) {
    names.add(family.name);
    if (family.type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${family.name}${suffix}`);
  }
  return names;
}

describe('compose.yaml', () => {
  it('is a valid compose v2 file that runs the image with the socket, a data volume and both ports', async () => {
    const { stdout } = await runCommand('docker', ['compose', '-f', path.join(ROOT, 'compose.yaml'), 'config', '--format', 'json'], {
      env: { ...testEnv(), DOCKER_GID: '994', HOMELABARR_API_PORT: '18092' },
      timeoutMs: 60_000,
      cwd: ROOT,
    });
    const config = JSON.parse(stdout);
    const service = config.services.homelabarr;
    expect(config.name).toBe('homelabarr');
    expect(service.build.args).toEqual({ DOCKER_GID: '994', BASE: 'node:20-bookworm-slim' });
    expect(service.init).toBe(true);
    expect(service.restart).toBe('unless-stopped');
    expect(service.environment).toMatchObject({
      DATA_DIR: '/data',
      BACKEND_PORT: '8092',
      FRONTEND_PORT: '8084',
      DOCKER_HOST: 'unix:///var/run/docker.sock',
    });
    expect(service.ports.map((port: { target: number; published: string }) => [port.published, port.target])).toEqual([
      ['18092', 8092],
      ['8084', 8084],
    ]);
    expect(service.volumes.map((volume: { source: string; target: string }) => `${volume.source}:${volume.target}`)).toEqual([
      '/var/run/docker.sock:/var/run/docker.sock',
      'homelabarr-data:/data',
    ]);
    expect(Object.keys(config.volumes)).toEqual(['homelabarr-data']);
  });
});

describe('deploy/homelabarr.service', () => {
  const unit = read('deploy/homelabarr.service');
  const directives = new Map<string, string[]>();
  let section = '';
  for (const line of unit.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) section = header[1] as string;
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (pair) directives.set(`${section}.${pair[1]}`, [...(directives.get(`${section}.${pair[1]}`) ?? []), pair[2] as string]);
  }
  const value = (key: string): string | undefined => directives.get(key)?.at(-1);

  it('runs the built server as an unprivileged docker-group member with DATA_DIR as its only writable path', () => {
    expect([...new Set([...directives.keys()].map((key) => key.split('.')[0]))]).toEqual(['Unit', 'Service', 'Install']);
    expect(value('Service.ExecStart')).toBe(
      '/usr/bin/env node --max-semi-space-size=1 --optimize-for-size --v8-pool-size=1 /opt/homelabarr/dist/server/main.js',
    );
    expect(value('Service.User')).toBe('homelabarr');
    expect(value('Service.SupplementaryGroups')).toBe('docker');
    expect(directives.get('Service.Environment')).toContain('DATA_DIR=/var/lib/homelabarr');
    expect(value('Service.ReadWritePaths')).toBe('/var/lib/homelabarr');
    expect(value('Service.ProtectSystem')).toBe('strict');
    expect(value('Service.NoNewPrivileges')).toBe('true');
    expect(value('Service.KillSignal')).toBe('SIGTERM');
    expect(value('Service.Restart')).toBe('on-failure');
    expect(value('Service.EnvironmentFile')).toBe('-/etc/homelabarr/homelabarr.env');
    expect(value('Install.WantedBy')).toBe('multi-user.target');
  });

  it('is a unit systemd accepts (systemd-analyze verify)', async () => {
    const copy = path.join(mkdtempSync(path.join(os.tmpdir(), 'hlr-unit-')), 'homelabarr.service');
    writeFileSync(copy, unit);
    // verify prints problems on stderr and still exits 0 for some of them: both must stay empty.
    const result = await runCommand('systemd-analyze', ['verify', copy], { env: testEnv(), timeoutMs: 60_000 });
    expect(result.stderr.trim()).toBe('');
    expect(result.stdout.trim()).toBe('');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds in stages and runs unprivileged with a healthcheck', () => {
    expect([...dockerfile.matchAll(/^FROM \$\{BASE\}(?: AS (\w+))?$/gm)].map((match) => match[1] ?? 'runtime')).toEqual([
      'build',
      'compose',
      'runtime',
    ]);
    expect(dockerfile).toMatch(/^ARG DOCKER_GID=\d+$/m);
    expect(dockerfile).toMatch(/^USER homelabarr$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "-e", .*\/health/m);
    expect(dockerfile).toMatch(
      /^CMD \["node", "--max-semi-space-size=1", "--optimize-for-size", "--v8-pool-size=1", "dist\/server\/main\.js"\]$/m,
    );
  });
});

describe('docs/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(read('docs/grafana-dashboard.json'));
  const panels = dashboard.panels as {
    id: number;
    type: string;
    title: string;
    gridPos: { x: number; w: number };
    datasource?: { uid: string };
    targets?: { expr: string }[];
  }[];

  it('is a Grafana dashboard whose panels all use the chosen Prometheus data source', () => {
    expect(dashboard).toMatchObject({ title: 'HomelabARR CE', uid: 'homelabarr-ce', schemaVersion: expect.any(Number) });
    expect(dashboard.templating.list.map((variable: { name: string }) => variable.name)).toEqual(['datasource', 'job', 'instance']);
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    for (const panel of panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      if (panel.type !== 'row') expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
    }
  });

  it('queries only metrics the server exports, and uses every family of its own', () => {
    const exported = exportedNames();
    const queried = new Set<string>();
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        for (const match of target.expr.matchAll(/\b((?:homelabarr|process|nodejs)_[a-z0-9_]+)\b/g)) queried.add(match[1] as string);
      }
    }
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
    const homelabarrFamilies = [...families.keys()].filter((name) => name.startsWith('homelabarr_'));
    const unused = homelabarrFamilies.filter((name) => ![...queried].some((query) => query === name || query.startsWith(`${name}_`)));
    expect(unused).toEqual([]);
  });
});

describe('docs/operations.md', () => {
  it('describes every metric family /metrics exports', () => {
    const docs = read('docs/operations.md');
    expect([...families.keys()].filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('the homelabarr command', () => {
  it('runs through npx from the checkout, with the maintenance commands listed', async () => {
    expect(read('src/server/cli.ts').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(JSON.parse(read('package.json')).bin).toEqual({ homelabarr: 'dist/server/cli.js' });
    const { stdout } = await runCommand('npx', ['--no-install', 'homelabarr', 'help'], { env: testEnv(), timeoutMs: 60_000, cwd: ROOT });
    for (const command of [
      'backup <file.tar.gz>',
      'restore <file.tar.gz>',
      'doctor',
      'import-original',
      'import-users <users.json>',
      'catalog check [path]',
      'create-user',
      'reset-password',
    ]) {
      expect(stdout).toContain(`homelabarr ${command}`);
    }
  });
});
