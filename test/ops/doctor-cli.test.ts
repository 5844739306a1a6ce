// `homelabarr doctor`: the health checks with their fixes, for a terminal. The Docker checks
// run against the real daemon (docker tier) and against a socket that does not exist.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/server/cli.js';
import { requireDocker } from '../helpers/docker.js';
import { freePort } from '../helpers/server-process.js';
import { recordingIo } from './ops-helpers.js';

let root: string;
let dataDir: string;
let sleeper: ChildProcess | undefined;
let listener: net.Server | undefined;

async function ports(): Promise<{ BACKEND_PORT: string; FRONTEND_PORT: string }> {
  return { BACKEND_PORT: String(await freePort()), FRONTEND_PORT: String(await freePort()) };
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'hlr-doctor-'));
  dataDir = path.join(root, 'data');
});

afterEach(async () => {
  if (sleeper?.pid !== undefined && sleeper.exitCode === null) process.kill(sleeper.pid, 'SIGKILL');
  sleeper = undefined;
  await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
  listener = undefined;
  rmSync(root, { recursive: true, force: true });
});

describe('homelabarr doctor', () => {
  it('fails with the fix when Docker cannot be reached, and says the database comes at first start', async () => {
    const env = { DATA_DIR: dataDir, DOCKER_HOST: 'unix:///nonexistent/docker.sock', ...(await ports()) };
    const io = recordingIo(env);
    expect(await runCli(['doctor'], io)).toBe(1);
    const lines = io.output.split('\n');
    expect(lines[0]).toMatch(/^HomelabARR CE \S+: doctor$/);
    expect(lines).toContain(`[ ok ] Node.js ${process.version}`);
    expect(lines).toContain('[info] No database yet: the server creates it at first start');
    expect(lines).toContain('[info] No server is running on this DATA_DIR');
    const docker = lines.findIndex((line) => line.startsWith('[FAIL] Docker is not reachable at unix:///nonexistent/docker.sock'));
    expect(docker).toBeGreaterThan(0);
    expect(lines[docker + 1]).toMatch(/^ {7}fix: Install and start Docker: sudo bash scripts\/setup-host\.sh/);
    expect(lines).toContain(`[ ok ] Port ${env.BACKEND_PORT} (BACKEND_PORT) is free`);
    expect(lines.some((line) => line.startsWith('[ ok ] Database answers'))).toBe(false);
    expect(lines.at(-2)).toMatch(/^\d+ problem\(s\), \d+ warning\(s\)\.$/);
  });

  it('passes with the real Docker daemon, compose and an existing database', async () => {
    await requireDocker();
    const env = { DATA_DIR: dataDir, ...(await ports()) };
    expect(await runCli(['create-user', 'alice', '--password-stdin'], recordingIo(env, 'alice-password-1\n'))).toBe(0);
    const io = recordingIo(env);
    expect(await runCli(['doctor'], io)).toBe(0);
    const lines = io.output.split('\n');
    expect(lines.some((line) => /^\[ ok \] Docker \S+ \(API \d+\.\d+\) at unix:\/\/\/var\/run\/docker\.sock$/.test(line))).toBe(true);
    expect(lines.some((line) => /^\[ ok \] docker compose \S+$/.test(line))).toBe(true);
    expect(lines).toContain('[ ok ] Database answers');
    expect(lines.some((line) => /^\[ ok \] Catalog: \d+ apps$/.test(line))).toBe(true);
    expect(lines.filter((line) => line.startsWith('[FAIL]'))).toEqual([]);
  });

  it('names a port another program holds, with how to find it', async () => {
    const env = { DATA_DIR: dataDir, DOCKER_HOST: 'unix:///nonexistent/docker.sock', ...(await ports()) };
    listener = net.createServer();
    await new Promise<void>((resolve) => listener?.listen(Number(env.BACKEND_PORT), '0.0.0.0', resolve));
    const io = recordingIo(env);
    expect(await runCli(['doctor'], io)).toBe(1);
    expect(io.output).toContain(
      `[FAIL] Port ${env.BACKEND_PORT} (BACKEND_PORT) is taken by another program\n       fix: Stop that program (ss -ltnp 'sport = :${env.BACKEND_PORT}' names it) or set BACKEND_PORT to a free port.\n`,
    );
  });

  it('reports the running server of the DATA_DIR and leaves its ports alone', async () => {
    const env = { DATA_DIR: dataDir, DOCKER_HOST: 'unix:///nonexistent/docker.sock', ...(await ports()) };
    mkdirSync(dataDir, { recursive: true });
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    writeFileSync(path.join(dataDir, 'server.lock'), String(sleeper.pid));
    const io = recordingIo(env);
    await runCli(['doctor'], io);
    expect(io.output).toContain(`[info] A server (pid ${sleeper.pid}) is running on this DATA_DIR\n`);
    expect(io.output).not.toContain('(BACKEND_PORT)');
  });

  it('fails on a database it cannot open, with what to do', async () => {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'homelabarr.db'), 'this is not a database, just text that is long enough to have a header'.repeat(20));
    const io = recordingIo({ DATA_DIR: dataDir, DOCKER_HOST: 'unix:///nonexistent/docker.sock', ...(await ports()) });
    expect(await runCli(['doctor'], io)).toBe(1);
    expect(io.output).toMatch(
      /\[FAIL\] The database cannot be opened\n {7}fix: Cannot open the database .*homelabarr\.db: .*restore a backup \(homelabarr restore <file>\)/,
    );
  });
});
