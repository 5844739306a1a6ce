import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class DataDirLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(
      `Another HomelabARR server (pid ${pid}) is using this DATA_DIR (${path.dirname(lockFile)}). Stop it first, or give this server its own DATA_DIR.`,
    );
    this.name = 'DataDirLockedError';
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid a server.lock names when that process still runs and is not this one; null for a stale lock. */
export function liveLockHolder(lockContent: string): number | null {
  const pid = Number(lockContent.trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid) ? pid : null;
}

/**
 * Two servers writing the same stacks and database would corrupt each other's deployments, so the
 * first one takes a pid lock; a lock left by a dead process is taken over.
 */
export function acquireDataDirLock(dataDir: string): { release(): void } {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'server.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      return {
        release: () => {
          try {
            if (readFileSync(lockFile, 'utf8').trim() === String(process.pid)) rmSync(lockFile);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = liveLockHolder(readFileSync(lockFile, 'utf8'));
      if (pid !== null) throw new DataDirLockedError(lockFile, pid);
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${lockFile}`);
}
