// The real server process (dist/server/main.js) on free loopback ports, its memory read from
// /proc, and the time from spawn to the first healthy /health. Its stdout is a pipe, as under a
// container runtime or a service manager, read by a separate `tee` writing the log file (reading
// it in this process would make the load generator pay for the server's logging).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../test/helpers/server-process.js';
import { processCpuMs } from './http-load.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export type ServerUnderTest = {
  process: ChildProcess;
  pid: number;
  url: string;
  dataDir: string;
  logFile: string;
  /** Milliseconds from spawn to the first 200 from GET /health. */
  startMs: number;
  /** CPU milliseconds the process had used by then (wall time minus waiting on a busy machine). */
  startCpuMs: number;
  /** The /health body of that first 200. */
  health: Record<string, unknown>;
  rssBytes(): number;
  stop(): Promise<void>;
};

export type StartOptions = {
  env?: Record<string, string>;
  /** Reuse a data directory (a restart); a fresh temporary one otherwise. */
  dataDir?: string;
  /** Write a V8 CPU profile into this folder when the process exits. */
  cpuProfileDir?: string;
  /** Node flags; by default the ones the server is run with. */
  nodeFlags?: string[];
};

/**
 * The node flags of the Dockerfile's CMD and the systemd unit (npm start passes the same memory
 * flags through package.json and enables source maps in-process): keep them alike, so the
 * benchmark measures the server as it is run.
 */
export const START_NODE_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size', '--v8-pool-size=1'];

export const ADMIN_PASSWORD = 'bench-admin-password-1';

/** VmRSS of a process, in bytes. */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`No VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

export async function startServerUnderTest(options: StartOptions = {}): Promise<ServerUnderTest> {
  const backendPort = await freePort();
  const frontendPort = await freePort();
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'hlr-bench-'));
  const logFile = path.join(dataDir, `server-${Date.now()}.log`);
  const logSink = spawn('tee', ['-a', logFile], { stdio: ['pipe', 'ignore', 'ignore'] });
  await new Promise<void>((resolve, reject) => logSink.once('spawn', resolve).once('error', reject));
  const nodeArgs = [
    ...(options.nodeFlags ?? START_NODE_FLAGS),
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
  ];
  if (options.cpuProfileDir) mkdirSync(options.cpuProfileDir, { recursive: true });
  // fetch loads its HTTP client on first use: do that now, not inside the measured start.
  await fetch('http://127.0.0.1:1/').catch(() => undefined);
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'dist', 'server', 'main.js')], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: os.homedir(),
      BIND_ADDRESS: '127.0.0.1',
      ADMIN_PASSWORD,
      ...options.env,
      BACKEND_PORT: String(backendPort),
      FRONTEND_PORT: String(frontendPort),
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', logSink.stdin, logSink.stdin],
  });
  // The server holds its own copy of the pipe; tee sees the end of input when the server exits.
  logSink.stdin.destroy();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${backendPort}`;
  const deadline = startedAt + 30_000;
  let health: Record<string, unknown> | null = null;
  while (!health) {
    if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The server did not answer /health within 30 s:\n${readFileSync(logFile, 'utf8')}`);
    }
    try {
      const response = await fetch(`${url}/health`);
      if (response.status === 200) health = (await response.json()) as Record<string, unknown>;
      else await response.arrayBuffer();
    } catch {
      // Not listening yet.
    }
    if (!health) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startMs = performance.now() - startedAt;
  const pid = child.pid as number;
  const startCpuMs = processCpuMs(pid);
  return {
    process: child,
    pid,
    url,
    dataDir,
    logFile,
    startMs,
    startCpuMs,
    health,
    rssBytes: () => readRssBytes(pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function login(server: ServerUnderTest): Promise<string> {
  const response = await fetch(`${server.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  const body = (await response.json()) as { token?: string };
  if (response.status !== 200 || !body.token) throw new Error(`Login failed (${response.status}): ${JSON.stringify(body)}`);
  return body.token;
}
