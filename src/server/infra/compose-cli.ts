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

/** The minimal environment a compose or docker process needs: where programs are and where Docker is. */
export function composeProcessEnv(executablePath: string, dockerHost: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: executablePath, DOCKER_HOST: dockerHost, HOME: '/root', ...extra };
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
