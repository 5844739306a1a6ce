// Finding and running the docker compose CLI. Deploy commands are added by the deployments module.
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
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
};

export type ComposePsEntry = { id: string; name: string; service: string; state: string; health: string };

/** The compose commands the deployments and applications modules run. An interface so tests can fake it. */
export interface ComposeRunner {
  /** The compose CLI in use; looked for again when none was found at start. */
  detect(): Promise<ComposeInfo>;
  /** How a command reads in progress events, e.g. "docker compose up -d". */
  describe(action: readonly string[]): string;
  up(project: ComposeProject, options: ComposeCallOptions): Promise<void>;
  stop(project: ComposeProject, options: ComposeCallOptions): Promise<void>;
  down(project: ComposeProject, removeVolumes: boolean, options: ComposeCallOptions): Promise<void>;
  ps(project: ComposeProject, options: ComposeCallOptions): Promise<ComposePsEntry[]>;
  /** The last `tail` log lines of one service (or all), without colours or prefixes. */
  logs(project: ComposeProject, options: ComposeCallOptions & { tail: number; service?: string }): Promise<string[]>;
}

export const COMPOSE_FILE_NAME = 'compose.yaml';
export const COMPOSE_ENV_FILE_NAME = '.env';

/** Runs the detected compose CLI with an argument array and the minimal environment it was given. */
export class CliComposeRunner implements ComposeRunner {
  constructor(
    private readonly compose: { current: ComposeInfo },
    private readonly env: Record<string, string>,
    private readonly preferredBinary?: string,
  ) {}

  async detect(): Promise<ComposeInfo> {
    if (!this.compose.current.available) this.compose.current = await detectCompose(this.env, this.preferredBinary);
    return this.compose.current;
  }

  describe(action: readonly string[]): string {
    const info = this.compose.current;
    return [info.command, ...info.baseArgs, ...action].join(' ');
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

  private async run(project: ComposeProject, action: readonly string[], options: ComposeCallOptions): Promise<string> {
    const { command, args, cwd } = await this.args(project, action);
    const result = await runCommand(command, args, {
      env: this.env,
      timeoutMs: options.timeoutMs,
      ...(cwd ? { cwd } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onLine ? { onLine: options.onLine } : {}),
    });
    return result.stdout;
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

  async ps(project: ComposeProject, options: ComposeCallOptions): Promise<ComposePsEntry[]> {
    const stdout = await this.run(project, ['ps', '--all', '--format', 'json'], options);
    return parseComposePs(stdout);
  }

  async logs(project: ComposeProject, options: ComposeCallOptions & { tail: number; service?: string }): Promise<string[]> {
    const info = await this.detect();
    const prefix = info.isV2 ? ['--no-log-prefix'] : [];
    // A container's stderr comes out on compose's stderr, so both streams make up the log.
    const lines: string[] = [];
    await this.run(
      project,
      ['logs', '--no-color', ...prefix, '--tail', String(options.tail), ...(options.service ? [options.service] : [])],
      {
        ...options,
        onLine: (line, stream) => {
          lines.push(line);
          options.onLine?.(line, stream);
        },
      },
    );
    return lines;
  }
}

type RawPsEntry = { ID?: string; Name?: string; Service?: string; State?: string; Health?: string };

/** compose 2.21+ prints one JSON object per line; older v2 releases print one JSON array. */
export function parseComposePs(stdout: string): ComposePsEntry[] {
  const text = stdout.trim();
  if (!text) return [];
  const raw: RawPsEntry[] = text.startsWith('[')
    ? (JSON.parse(text) as RawPsEntry[])
    : text.split('\n').map((line) => JSON.parse(line) as RawPsEntry);
  return raw.map((entry) => ({
    id: entry.ID ?? '',
    name: entry.Name ?? '',
    service: entry.Service ?? '',
    state: entry.State ?? '',
    health: entry.Health ?? '',
  }));
}
