import { describe, expect, it } from 'vitest';
import { CommandError, runCommand } from '../../src/server/infra/run-command.js';

const env = { PATH: '/usr/local/bin:/usr/bin:/bin' };

describe('runCommand', () => {
  it('passes arguments literally, without a shell', async () => {
    const result = await runCommand('printf', ['%s|', 'a b', '$(id)', ';rm -rf /'], { env, timeoutMs: 5000 });
    expect(result.stdout).toBe('a b|$(id)|;rm -rf /|');
  });

  it('streams lines to onLine as they arrive, stdout and stderr apart', async () => {
    const lines: string[] = [];
    await runCommand('sh', ['-c', 'echo one; echo two >&2; echo three'], {
      env,
      timeoutMs: 5000,
      onLine: (line, stream) => lines.push(`${stream}:${line}`),
    });
    expect(lines).toEqual(expect.arrayContaining(['stdout:one', 'stderr:two', 'stdout:three']));
  });

  it('keeps exit code and the last stderr lines when a program fails', async () => {
    const error = await runCommand('sh', ['-c', 'echo first >&2; echo last >&2; exit 3'], { env, timeoutMs: 5000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ exitCode: 3, timedOut: false, stderrTail: ['first', 'last'] });
  });

  it('kills a program that runs past its timeout', async () => {
    const error = await runCommand('sleep', ['5'], { env, timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ timedOut: true, signal: 'SIGTERM' });
  });

  it('stops a program when cancelled', async () => {
    const controller = new AbortController();
    const pending = runCommand('sleep', ['5'], { env, timeoutMs: 5000, signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    expect(await pending).toMatchObject({ cancelled: true });
  });

  it('reports a program that does not exist', async () => {
    const error = await runCommand('no-such-program-hlr', [], { env, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ spawnError: expect.stringContaining('ENOENT'), exitCode: null });
    expect((error as CommandError).cause).toMatchObject({ code: 'ENOENT', syscall: 'spawn no-such-program-hlr' });
  });

  it('hands the child only the environment it was given', async () => {
    const result = await runCommand('env', [], { env: { PATH: env.PATH, ONLY: 'this' }, timeoutMs: 5000 });
    expect(result.stdout.trim().split('\n').sort()).toEqual(['ONLY=this', `PATH=${env.PATH}`]);
  });
});
