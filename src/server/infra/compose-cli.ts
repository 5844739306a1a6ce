// The docker compose CLI: finding it (v2 plugin, standalone binary, v1 as a last resort), the minimal
// environment its processes get, and the up, stop and down of one app's compose project.
import { runCommand } from './run-command.js';

export type ComposeInfo = {
  available: boolean;
  version: string | null;
  /** The program to run, e.g. "docker" (with baseArgs ["compose"]) or "docker-compose". */
  command: string;
  baseArgs: string[];
  isV2: boolean;
};

export const NO_COMPOSE: ComposeInfo = { available: false, version: null, command: 'docker', baseArgs: ['compose'], isV2: false };

export type CommandEnvSettings = {
  executablePath: string;
  dockerHost: string;
  /** The CLI reads HOME/.docker (config.json, cli-plugins); one it cannot read hides the compose plugin. */
  commandHome: string;
  dockerConfigDir: string | undefined;
};

/** The minimal environment a compose or docker process needs: where programs are, where Docker is, where its CLI config is. */
export function composeProcessEnv(settings: CommandEnvSettings, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: settings.executablePath,
    DOCKER_HOST: settings.dockerHost,
    HOME: settings.commandHome,
    ...(settings.dockerConfigDir ? { DOCKER_CONFIG: settings.dockerConfigDir } : {}),
    ...extra,
  };
}

async function tryVersion(command: string, baseArgs: string[], env: Record<string, string>): Promise<string | null> {
  try {
    const result = await runCommand(command, [...baseArgs, 'version', '--short'], { env, timeoutMs: 10_000 });
    const version = result.stdout.trim().replace(/^v/, '');
    return version || null;
  } catch {
    return null;
  }
}

/**
 * Finds compose v2 as a docker CLI plugin or a standalone binary; compose v1 only as a fallback.
 * `preferred` (COMPOSE_BINARY) names a standalone binary to use instead.
 */
export async function detectCompose(env: Record<string, string>, preferred?: string): Promise<ComposeInfo> {
  const candidates: [string, string[]][] = preferred
    ? [[preferred, []]]
    : [
        ['docker', ['compose']],
        ['docker-compose', []],
      ];
  let fallback: ComposeInfo | null = null;
  for (const [command, baseArgs] of candidates) {
    const version = await tryVersion(command, baseArgs, env);
    if (!version) continue;
    const isV2 = !version.startsWith('1.');
    const info: ComposeInfo = { available: true, version, command, baseArgs, isV2 };
    if (isV2) return info;
    fallback ??= info;
  }
  return fallback ?? NO_COMPOSE;
}

/** One app's compose project: its name and the directory holding compose.yaml and .env. */
export type ComposeProject = {
  name: string;
  /** null when the rendered files are gone: compose then acts on the project name alone (v2 only). */
  directory: string | null;
};

export type ComposeCallOptions = {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called once before the process starts, with its command line as it runs (for progress events). */
  onCommand?: (commandLine: string) => void;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
};

/** The compose commands the deployments and applications modules run. An interface so tests can fake it. */
export interface ComposeRunner {
  /** The compose CLI in use; looked for again when none was found before. */
  detect(): Promise<ComposeInfo>;
  /** The compose CLI the last detect() found (NO_COMPOSE before any), without looking again. */
  current(): ComposeInfo;
  up(project: ComposeProject, options: ComposeCallOptions): Promise<void>;
  stop(project: ComposeProject, options: ComposeCallOptions): Promise<void>;
  down(project: ComposeProject, removeVolumes: boolean, options: ComposeCallOptions): Promise<void>;
}

export const COMPOSE_FILE_NAME = 'compose.yaml';
export const COMPOSE_ENV_FILE_NAME = '.env';

/** Runs the detected compose CLI with an argument array and the minimal environment it was given. */
export class CliComposeRunner implements ComposeRunner {
  constructor(
    private readonly env: Record<string, string>,
    private readonly preferredBinary?: string,
    private found: ComposeInfo = NO_COMPOSE,
  ) {}

  async detect(): Promise<ComposeInfo> {
    if (!this.found.available) this.found = await detectCompose(this.env, this.preferredBinary);
    return this.found;
  }

  current(): ComposeInfo {
    return this.found;
  }

  private async args(project: ComposeProject, action: readonly string[]): Promise<{ command: string; args: string[]; cwd?: string }> {
    const info = await this.detect();
    if (!info.available) throw new Error('docker compose is not installed');
    // Plain progress: compose writes one line per change to stderr instead of redrawing a TTY.
    const output = info.isV2 ? ['--ansi', 'never', '--progress', 'plain'] : ['--no-ansi'];
    const files = project.directory
      ? ['-f', `${project.directory}/${COMPOSE_FILE_NAME}`, '--env-file', `${project.directory}/${COMPOSE_ENV_FILE_NAME}`]
      : [];
    return {
      command: info.command,
      args: [...info.baseArgs, ...output, '-p', project.name, ...files, ...action],
      ...(project.directory ? { cwd: project.directory } : {}),
    };
  }

  private async run(project: ComposeProject, action: readonly string[], options: ComposeCallOptions): Promise<void> {
    const { command, args, cwd } = await this.args(project, action);
    options.onCommand?.([command, ...args].join(' '));
    await runCommand(command, args, {
      env: this.env,
      timeoutMs: options.timeoutMs,
      ...(cwd ? { cwd } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onLine ? { onLine: options.onLine } : {}),
    });
  }

  async up(project: ComposeProject, options: ComposeCallOptions): Promise<void> {
    await this.run(project, ['up', '-d', '--remove-orphans'], options);
  }

  async stop(project: ComposeProject, options: ComposeCallOptions): Promise<void> {
    await this.run(project, ['stop'], options);
  }

  async down(project: ComposeProject, removeVolumes: boolean, options: ComposeCallOptions): Promise<void> {
    await this.run(project, ['down', '--remove-orphans', ...(removeVolumes ? ['--volumes'] : [])], options);
  }
}
