// What one deploy is (the job), what running it needs (the deps), and what a step body gets and
// gives back. Shared by the runner (deploy-runner.ts) and the step bodies (steps/).
import type { DeployModeType, DeployStep } from '../../../contracts/deployments.js';
import type { Config } from '../../config.js';
import type { Clock } from '../../infra/clock.js';
import type { ComposeRunner } from '../../infra/compose-cli.js';
import type { DockerEngine } from '../../infra/docker/engine.js';
import type { HostPorts } from '../../infra/host-ports.js';
import type { StackFiles } from '../../infra/stack-files.js';
import type { Principal } from '../../principal.js';
import type { ActivityService } from '../activity/index.js';
import type { CatalogEntry, RenderedStack } from '../catalog/index.js';
import type { DeploymentEventLog } from './deployment-events.js';
import type { DeploymentsRepository } from './deployments.repository.js';

/** Everything one deploy needs, decided and validated before the deployment row existed. */
export type DeployJob = {
  deploymentId: string;
  appId: string;
  entry: CatalogEntry;
  mode: DeployModeType;
  rendered: RenderedStack;
  /** Names of the variables the deploy sets (values stay out of events: some are secrets). */
  variableNames: string[];
  stackName: string;
  project: string;
  isRedeploy: boolean;
  principal: Principal | null;
  ip: string | null;
  controller: AbortController;
  cancelledBy: string | null;
};

export type RunnerDeps = {
  config: Config;
  docker: DockerEngine;
  compose: ComposeRunner;
  hostPorts: HostPorts;
  stacks: StackFiles;
  events: DeploymentEventLog;
  repository: DeploymentsRepository;
  activity: ActivityService;
  clock: Clock;
};

/** Where each step starts and ends on the 0–100 progress bar. */
export const STEP_PROGRESS: Record<DeployStep, [number, number]> = {
  validate: [0, 5],
  preflight: [5, 10],
  render: [10, 15],
  pull: [15, 60],
  deploy: [60, 85],
  verify: [85, 100],
};

/** What a step body works with: the deploy, the runner's deps, and the runner's output channel. */
export type StepContext = {
  job: DeployJob;
  deps: RunnerDeps;
  /** Aborted on cancel and on the step's timeout. */
  signal: AbortSignal;
  /** Stores one line of a command's output as a command-output event (bounded per deployment). */
  emitOutput: (command: string, output: string, type: 'stdout' | 'stderr') => void;
};

/** A step's result: the value the next steps use and the message (and details) of its completed event. */
export type StepOutcome<T> = { value: T; message: string; details?: Record<string, unknown>; isSkipped?: boolean };

/** A step failed for a reason a user can act on; the message is shown as is. */
export class DeployFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployFailure';
  }
}
