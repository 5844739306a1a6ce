// Quality gate 2: `docker compose config` accepts the rendered file of every bundled app in every
// mode it declares. Also proves that values reach compose literally, whatever they contain.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError, runCommand } from '../../src/server/infra/run-command.js';
import { loadCatalog } from '../../src/server/modules/catalog/catalog-loader.js';
import { resolveDeployValues } from '../../src/server/modules/catalog/deploy-values.js';
import { renderCompose } from '../../src/server/modules/catalog/render-compose.js';
import { requireDocker } from '../helpers/docker.js';
import { BUNDLED_ROOT, fixtureEntry, FOREIGN_BRIDGE, GLOBALS, renderSettings } from './catalog-fixtures.js';
import { mapWithConcurrency, renderForTest, writeStack } from './catalog-deploy-helpers.js';

const composeEnv = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', DOCKER_HOST: 'unix:///var/run/docker.sock' };

async function composeConfig(folder: string, extraArgs: string[] = ['-q']): Promise<{ stdout: string; stderr: string }> {
  return runCommand(
    'docker',
    ['compose', '-f', path.join(folder, 'compose.yaml'), '--env-file', path.join(folder, '.env'), 'config', ...extraArgs],
    {
      cwd: folder,
      env: composeEnv,
      timeoutMs: 60_000,
    },
  );
}

describe('gate 2: docker compose config', () => {
  let work: string;
  beforeAll(async () => {
    await requireDocker();
    work = mkdtempSync(path.join(os.tmpdir(), 'hlr-compose-config-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('accepts every bundled app in every mode it declares, without warnings', { timeout: 300_000 }, async () => {
    const loaded = loadCatalog([{ path: BUNDLED_ROOT, source: 'bundled' }], GLOBALS);
    expect(loaded.invalid).toEqual([]);
    const jobs = [...loaded.entries.values()].flatMap((entry) => entry.template.modes.map((mode) => ({ entry, mode })));
    const outcomes = await mapWithConcurrency(jobs, 4, async ({ entry, mode }) => {
      const folder = path.join(work, `${entry.app.id}-${mode}`);
      const stack = renderForTest(entry, mode, `hlr-${entry.app.id}`, { 'homelabarr.app-id': entry.app.id });
      writeStack(folder, stack.composeYaml, stack.envFile);
      const { stderr } = await composeConfig(folder);
      if (stderr.trim()) throw new Error(`warnings: ${stderr.trim()}`);
    });
    const failures = outcomes.flatMap((outcome, index) => {
      if (outcome.status === 'fulfilled') return [];
      const job = jobs[index];
      const reason = outcome.reason instanceof CommandError ? outcome.reason.stderrTail.join(' | ') : String(outcome.reason);
      return [`${job?.entry.app.id} (${job?.mode}): ${reason}`];
    });
    expect(failures).toEqual([]);
    expect(jobs.length).toBeGreaterThanOrEqual(loaded.entries.size);
  });

  it('accepts the rendered foreign (original-product style) templates in every mode', async () => {
    const loaded = loadCatalog([{ path: path.join(FOREIGN_BRIDGE, 'apps'), source: 'cli-bridge' }], GLOBALS);
    const jobs = [...loaded.entries.values()].flatMap((entry) => entry.template.modes.map((mode) => ({ entry, mode })));
    const outcomes = await mapWithConcurrency(jobs, 4, async ({ entry, mode }) => {
      const folder = path.join(work, `foreign-${entry.app.id}-${mode}`);
      const stack = renderForTest(entry, mode, `hlr-${entry.app.id}`);
      writeStack(folder, stack.composeYaml, stack.envFile);
      await composeConfig(folder);
      return `${entry.app.id} ${mode}`;
    });
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : String(outcome.reason)))).toEqual(
      jobs.map(({ entry, mode }) => `${entry.app.id} ${mode}`),
    );
    expect(jobs.length).toBe(13);
  });

  it('hands values to compose literally: quotes, $, ${…}, $(…), backslashes and # stay as typed', async () => {
    const entry = fixtureEntry('ai-tools-open-webui');
    const nasty = `a'b"c$d \${HOME} $(id) \\n #x $$ \${OPEN_WEBUI_SECRET}`;
    const plain = `plain \${HOME} $(id) $$ #x`;
    const { values } = resolveDeployValues(
      entry,
      { OPEN_WEBUI_ADMIN_EMAIL: 'me@example.com', OPEN_WEBUI_DB_PASSWORD: nasty, OPEN_WEBUI_SECRET: plain },
      {
        isAdmin: true,
        mode: 'authelia',
        globals: GLOBALS,
      },
    );
    const stack = renderCompose({
      entry,
      mode: 'authelia',
      values,
      settings: renderSettings({ labels: { 'homelabarr.note': 'costs $5 ${HOME}' } }),
    });
    const folder = path.join(work, 'literal');
    writeStack(folder, stack.composeYaml, stack.envFile);
    const { stdout } = await composeConfig(folder, ['--format', 'json', '--no-interpolate']);
    expect(JSON.parse(stdout).name).toBe('hlr-test-app');
    const resolved = JSON.parse((await composeConfig(folder, ['--format', 'json'])).stdout);
    // compose's JSON output escapes a literal $ as $$ again; undo that to compare with what was typed.
    const unescape = (text: string): string => text.replace(/\$\$/g, '$');
    expect(unescape(resolved.services.db.environment.POSTGRES_PASSWORD)).toBe(nasty);
    expect(unescape(resolved.services['open-webui'].environment.WEBUI_SECRET_KEY)).toBe(plain);
    expect(unescape(resolved.services['open-webui'].environment.DATABASE_URL)).toBe(`postgresql://webui:${nasty}@db:5432/webui`);
    expect(unescape(resolved.services['open-webui'].labels['homelabarr.note'])).toBe('costs $5 ${HOME}');
    expect(resolved.services['open-webui'].labels['traefik.http.routers.hlr-test-app.rule']).toBe('Host(`open-webui.home.example.com`)');
    expect(resolved.networks.proxy).toMatchObject({ name: 'proxy', external: true });
  });
});
