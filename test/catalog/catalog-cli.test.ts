import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/server/cli-command.js';
import { runCli } from '../../src/server/cli.js';
import { BROKEN_ROOT, NATIVE_ROOT } from './catalog-fixtures.js';

function captureIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (text: string) => void (io.stdout += text),
    err: (text: string) => void (io.stderr += text),
    readStdin: () => Promise.resolve(''),
    env: { PATH: process.env.PATH },
  };
  return io;
}

describe('homelabarr catalog check', () => {
  it('prints each broken template with its gate and exits 1', async () => {
    const io = captureIo();
    expect(await runCli(['catalog', 'check', BROKEN_ROOT], io)).toBe(1);
    expect(io.stdout.replace(/ at line[^\n]*/, '')).toBe(
      [
        'mediaserver/typo.yml: [gate 1] x-homelabarr.variables.APP_PORT: Unrecognized key: "defualt" (quote descriptions that contain commas or colons)',
        'mediaserver/unclosed.yml: [gate 1] not valid YAML: Missing closing "quote',
        'mediaserver/undeclared.yml: [gate 1] uses ${APP_PORT} without declaring it in x-homelabarr.variables',
        '1 apps in 1 categories, 3 problem(s).',
        '',
      ].join('\n'),
    );
  });

  it('exits 0 for a clean catalog and checks the bundled one without a path', async () => {
    const io = captureIo();
    expect(await runCli(['catalog', 'check', NATIVE_ROOT], io)).toBe(0);
    expect(io.stdout).toBe('4 apps in 4 categories, 0 problem(s).\n');
    const bundled = captureIo();
    expect(await runCli(['catalog', 'check'], bundled)).toBe(0);
    expect(bundled.stdout).toMatch(/^\d{3} apps in 15 categories, 0 problem\(s\)\.\n$/);
  });

  it('explains the usage for an unknown subcommand and a missing folder', async () => {
    const io = captureIo();
    expect(await runCli(['catalog', 'list'], io)).toBe(2);
    expect(io.stderr).toBe('the catalog command is: catalog check [path]\nUsage: homelabarr catalog check [path]\n');
    const missing = captureIo();
    expect(await runCli(['catalog', 'check', '/nonexistent/catalog'], missing)).toBe(1);
    expect(missing.stderr).toBe('/nonexistent/catalog does not exist.\n');
  });
});
