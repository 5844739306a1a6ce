// How a failed step reads in the deployment's events and error: the user's own words for known
// failures (a DeployFailure, compose's exit and last stderr lines, a broken container with its last
// log lines), and Docker's disappearance named as the cause when the daemon stopped answering.
import type { DeployStep } from '../../../contracts/deployments.js';
import { isDockerUnavailable } from '../../app-errors/docker.js';
import { AppError } from '../../errors.js';
import type { DockerEngine } from '../../infra/docker/engine.js';
import { CommandError } from '../../infra/run-command.js';
import type { ProjectContainer } from '../stacks/index.js';
import { DeployFailure } from './deploy-job.js';

const FAILURE_LOG_LINES = 20;
const MAX_REASON_CHARS = 4000;

export function formatSeconds(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 120 && seconds % 60 === 0 ? `${seconds / 60} minutes` : `${seconds} s`;
}

/** Reasons are stored and streamed; a runaway one (a huge log line) is cut. */
export function truncateReason(text: string): string {
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS - 1)}…` : text;
}

function describeFailure(step: DeployStep, error: unknown): string {
  if (error instanceof DeployFailure) return error.message;
  if (error instanceof CommandError) {
    const output = error.stderrTail.slice(-10).join('\n');
    const what = error.spawnError
      ? `could not be started (${error.spawnError})`
      : error.exitCode !== null
        ? `exited with code ${error.exitCode}`
        : `was stopped by ${error.signal ?? 'a signal'}`;
    return `docker compose ${error.args.includes('up') ? 'up' : ''} ${what}${output ? `:\n${output}` : ''}`.replace('  ', ' ');
  }
  if (error instanceof AppError) return `${error.message}: ${error.details}`;
  return `Unexpected failure in the ${step} step: ${(error as Error).message ?? String(error)}`;
}

/**
 * A compose process killed because dockerd went away reports only "exited with code 143"; when the
 * daemon no longer answers, that is the reason the user needs to see.
 */
export async function describeStepFailure(docker: DockerEngine, step: DeployStep, error: unknown): Promise<string> {
  const reason = describeFailure(step, error);
  if (isDockerUnavailable(error)) return reason;
  const isDockerUp = await docker.ping().then(
    () => true,
    () => false,
  );
  return isDockerUp ? reason : `Docker stopped answering during the ${step} step (${reason.split('\n')[0] ?? reason})`;
}

/** A container that exited, restarts or is unhealthy, with its last log lines when it wrote any. */
export async function describeBrokenContainer(docker: DockerEngine, container: ProjectContainer, problem: string): Promise<string> {
  let lines: string[] = [];
  try {
    lines = (await docker.containerLogs(container.id, { tail: FAILURE_LOG_LINES })).lines.map((line) => line.message);
  } catch {
    // The container may be gone already; the problem alone still says what happened.
  }
  const logs = lines.length > 0 ? `. Last log lines:\n${lines.join('\n')}` : '. It wrote no log lines.';
  return truncateReason(`Container ${container.name} (service ${container.service}) ${problem}${logs}`);
}
