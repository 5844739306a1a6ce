// Shared by `npm start` and `npm test`: install npm dependencies when missing and rebuild when
// sources are newer than the build. Runs programs with argument arrays, never a shell string.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`\n${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
}

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function mtime(file) {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

export function ensureInstalled() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (!existsSync(marker) || mtime(lock) > mtime(marker)) {
    console.log('Installing npm dependencies…');
    run('npm', existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
  }
}

export function ensureBuilt() {
  const serverOut = path.join(root, 'dist', 'server', 'main.js');
  const serverSources = Math.max(newestMtime(path.join(root, 'src', 'server')), newestMtime(path.join(root, 'src', 'contracts')));
  if (mtime(serverOut) < serverSources) {
    console.log('Building the server…');
    run('npm', ['run', '--silent', 'build:server']);
  }
  const webOut = path.join(root, 'dist', 'web', 'index.html');
  const webSources = Math.max(newestMtime(path.join(root, 'src', 'web')), newestMtime(path.join(root, 'src', 'contracts')));
  if (mtime(webOut) < webSources) {
    console.log('Building the dashboard…');
    run('npm', ['run', '--silent', 'build:web']);
  }
}
