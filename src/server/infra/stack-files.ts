// The rendered compose files of deployed apps: DATA_DIR/stacks/<appId>/compose.yaml and .env.
// Users can read them and run `docker compose` by hand on the same files.
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { parseDotEnv } from '../config.js';
import { COMPOSE_ENV_FILE_NAME, COMPOSE_FILE_NAME } from './compose-cli.js';

export type StackPaths = { directory: string; composeFile: string; envFile: string };

// The name becomes a directory: nothing that could climb out of the stacks folder.
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export class StackFiles {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'stacks');
  }

  paths(name: string): StackPaths {
    if (!STACK_NAME.test(name) || name.includes('..')) throw new Error(`Not a stack name: ${JSON.stringify(name)}`);
    const directory = path.join(this.root, name);
    return { directory, composeFile: path.join(directory, COMPOSE_FILE_NAME), envFile: path.join(directory, COMPOSE_ENV_FILE_NAME) };
  }

  exists(name: string): boolean {
    return existsSync(this.paths(name).composeFile);
  }

  /**
   * Writes both files so that a reader (or a crash) never sees half a file: each goes to a
   * temporary file first, is flushed, then renamed over the old one. The .env holds secrets: 0600.
   */
  write(name: string, files: { composeYaml: string; envFile: string }): StackPaths {
    const paths = this.paths(name);
    mkdirSync(paths.directory, { recursive: true, mode: 0o700 });
    writeAtomically(paths.envFile, files.envFile, 0o600);
    writeAtomically(paths.composeFile, files.composeYaml, 0o600);
    return paths;
  }

  /** The variables of the app's current .env, or null when it has none. */
  readEnv(name: string): Record<string, string> | null {
    const { envFile } = this.paths(name);
    if (!existsSync(envFile)) return null;
    return parseDotEnv(readFileSync(envFile, 'utf8'));
  }

  remove(name: string): void {
    rmSync(this.paths(name).directory, { recursive: true, force: true });
  }

  /** Free bytes on the file system holding DATA_DIR. */
  freeBytes(): number {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const stats = statfsSync(this.root);
    return Number(stats.bavail) * Number(stats.bsize);
  }
}

function writeAtomically(file: string, content: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', mode);
  try {
    // A leftover temporary file keeps its old mode through open(); set it explicitly.
    fchmodSync(fd, mode);
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}
