// Starts the built server (dist/server/main.js) as a real process on free ports, for tests that
// need the whole product: both ports, signals, restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

// Ports for tests come from below Linux's ephemeral range (32768-60999): a port the kernel hands out
// for listen(0) is also one it may give an outgoing connection's local end a moment later, and two
// listen(0) calls in a row can return the same port once the first is closed. Each test worker
// (VITEST_POOL_ID) takes its own slice of the range and never hands out a port twice, so two
// "free" ports are always distinct and no other worker is handed them; a bind check skips ports
// some other program holds.
const PORT_RANGE_START = 20_100;
const PORT_RANGE_END = 32_700;
const PORT_SLICES = 8;
const sliceSize = Math.floor((PORT_RANGE_END - PORT_RANGE_START) / PORT_SLICES);
const sliceStart = PORT_RANGE_START + (Number(process.env.VITEST_POOL_ID ?? process.pid) % PORT_SLICES) * sliceSize;
let nextOffset = Math.floor(Math.random() * sliceSize);
let handedOut = 0;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  while (handedOut < sliceSize) {
    const port = sliceStart + (nextOffset % sliceSize);
    nextOffset += 1;
    handedOut += 1;
    if (await canBind(port)) return port;
  }
  throw new Error(`freePort: this test worker used all ${sliceSize} ports of its slice`);
}

export type ServerProcess = {
  process: ChildProcess;
  backendUrl: string;
  frontendUrl: string;
  dataDir: string;
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

/** The first-start admin password every started server gets (its admin is "admin"), unless env sets another. */
export const TEST_ADMIN_PASSWORD = 'test-admin-password-1';

export async function startServer(
  env: Record<string, string> = {},
  options: {
    waitForReady?: boolean;
    /** Extra flags for node, e.g. --inspect=127.0.0.1:0 to measure the heap. */ nodeArgs?: string[];
  } = {},
): Promise<ServerProcess> {
  const backendPort = Number(env.BACKEND_PORT ?? (await freePort()));
  const frontendPort = Number(env.FRONTEND_PORT ?? (await freePort()));
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'hlr-server-'));
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(root, 'dist', 'server', 'main.js')], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: os.homedir(),
      BIND_ADDRESS: '127.0.0.1',
      LOG_LEVEL: 'info',
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      ...env,
      BACKEND_PORT: String(backendPort),
      FRONTEND_PORT: String(frontendPort),
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const server: ServerProcess = {
    process: child,
    backendUrl: `http://127.0.0.1:${backendPort}`,
    frontendUrl: `http://127.0.0.1:${frontendPort}`,
    dataDir,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (options.waitForReady !== false) {
    const deadline = Date.now() + 20_000;
    while (!/HomelabARR CE \S+ ready/.test(output)) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`server did not become ready:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return server;
}
