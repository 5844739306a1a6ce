// Real rclone programs for the mounts tier: `rclone rcd`, `rclone serve webdav|sftp`, each on a
// free 127.0.0.1 port with its own config and cache folders, stopped by the pid we started.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/server-process.js';

export type RcloneProcess = {
  url: string;
  port: number;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
};

async function startRclone(args: string[], ready: RegExp, home: string): Promise<RcloneProcess & { port: number }> {
  const port = await freePort();
  const child = spawn(
    'rclone',
    args.map((arg) => arg.replace('{port}', String(port))),
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (ready.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`rclone ${args[0]} exited with ${code}:\n${output}`)));
    child.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export type RcdProcess = RcloneProcess & { user: string; pass: string; configFile: string; home: string };

/** `rclone rcd` with basic auth and an empty config of its own. */
export async function startRcd(options: { user?: string; pass?: string } = {}): Promise<RcdProcess> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hlr-rcd-'));
  const configFile = path.join(home, 'rclone.conf');
  writeFileSync(configFile, '', { mode: 0o600 });
  const user = options.user ?? 'rc-user';
  const pass = options.pass ?? `rc-pass-${Math.random().toString(36).slice(2)}`;
  const rcd = await startRclone(
    [
      'rcd',
      '--rc-addr',
      '127.0.0.1:{port}',
      '--rc-user',
      user,
      '--rc-pass',
      pass,
      '--config',
      configFile,
      '--cache-dir',
      path.join(home, 'cache'),
    ],
    /Serving remote control on/,
    home,
  );
  return {
    ...rcd,
    user,
    pass,
    configFile,
    home,
    async stop() {
      await rcd.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export type ServedRemote = RcloneProcess & { dir: string; user: string; pass: string };

/** `rclone serve webdav|sftp` of a fresh folder, with a user and password. */
export async function serveRemote(kind: 'webdav' | 'sftp', files: Record<string, string> = {}): Promise<ServedRemote> {
  const home = mkdtempSync(path.join(os.tmpdir(), `hlr-${kind}-`));
  const dir = path.join(home, 'files');
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  const user = `${kind}-user`;
  const pass = `${kind}-pass-${Math.random().toString(36).slice(2)}`;
  const served = await startRclone(
    [
      'serve',
      kind,
      dir,
      '--addr',
      '127.0.0.1:{port}',
      '--user',
      user,
      '--pass',
      pass,
      '--config',
      path.join(home, 'none.conf'),
      '--cache-dir',
      path.join(home, 'cache'),
    ],
    kind === 'webdav' ? /WebDav Server started/i : /SFTP server listening/i,
    home,
  );
  return {
    ...served,
    dir,
    user,
    pass,
    async stop() {
      await served.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
