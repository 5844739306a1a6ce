// What `homelabarr doctor` needs to know about DATA_DIR without changing it: does it exist, can
// this user write there, how much space is left, and does a live server hold its lock.
import { accessSync, constants, existsSync, readFileSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { liveLockHolder } from './files.js';

export type DataDirProbe = { exists: boolean; isWritable: boolean; freeBytes: number | null; serverPid: number | null };

/** The pid in DATA_DIR/server.lock when that process still runs (a stale lock is ignored, as the server does). */
export function readServerPid(dataDir: string): number | null {
  try {
    return liveLockHolder(readFileSync(path.join(dataDir, 'server.lock'), 'utf8'));
  } catch {
    return null;
  }
}

export function probeDataDir(dataDir: string): DataDirProbe {
  const exists = existsSync(dataDir);
  // A missing DATA_DIR is created at first start: what matters then is whether its parent is writable.
  const checked = exists ? dataDir : path.dirname(dataDir);
  let isWritable = false;
  try {
    accessSync(checked, constants.W_OK);
    isWritable = true;
  } catch {
    isWritable = false;
  }
  let freeBytes: number | null = null;
  try {
    const stats = statfsSync(checked);
    freeBytes = stats.bavail * stats.bsize;
  } catch {
    freeBytes = null;
  }
  return { exists, isWritable, freeBytes, serverPid: exists ? readServerPid(dataDir) : null };
}
