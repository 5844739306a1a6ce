// Small files that hold secrets (the first admin's generated password, ADMIN_PASSWORD_FILE):
// written owner-only and atomically, so a half-written or world-readable secret never exists.
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SecretFiles {
  /** The file's text without its trailing newline; throws with the path when unreadable. */
  read(filePath: string): string;
  /** Writes with mode 0600, replacing any file already there. */
  writePrivate(filePath: string, content: string): void;
  remove(filePath: string): void;
  exists(filePath: string): boolean;
}

export const nodeSecretFiles: SecretFiles = {
  read(filePath) {
    return readFileSync(filePath, 'utf8').replace(/\r?\n$/, '');
  },
  writePrivate(filePath, content) {
    const temporary = path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.tmp`);
    writeFileSync(temporary, content, { mode: 0o600, flag: 'w' });
    // The umask may have narrowed the mode, never widened it; chmod makes it exactly 0600 either way.
    chmodSync(temporary, 0o600);
    renameSync(temporary, filePath);
  },
  remove(filePath) {
    rmSync(filePath, { force: true });
  },
  exists(filePath) {
    return existsSync(filePath);
  },
};
