// The deploy pipeline: validate → preflight → render → pull → deploy → verify, then complete.
// Every step change is stored as an event (and broadcast) as it happens; the deployment row
// follows along so GET /deployments/:id/status always tells where a deploy is.
import { setTimeout as delay } from 'node:timers/promises';
import type { DeployedContainer, DeploymentResult, DeploymentStatus, DeployModeType, DeployStep } from '../../../contracts/deployments.js';
import type { StepStatus } from '../../../contracts/stream.js';
import type { Config } from '../../config.js';
import { isDockerUnavailable } from '../../app-errors/docker.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { ComposeProject, ComposeRunner } from '../../infra/compose-cli.js';
import { ImagePullError, type DockerEngine } from '../../infra/docker/engine.js';
import type { HostPorts } from '../../infra/host-ports.js';
import { CommandError } from '../../infra/run-command.js';
import type { StackFiles } from '../../infra/stack-files.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { Principal } from '../auth/guards.js';
import type { CatalogEntry } from '../catalog/catalog-template.js';
import type { RenderedStack } from '../catalog/render-compose.js';
import type { DeploymentEventLog } from './deployment-events.js';
import type { DeploymentsRepository } from './deployments.repository.js';
import { describePortConflict, findPortConflicts } from './port-conflicts.js';
import { listProjectContainers, type ProjectContainer } from './project-containers.js';
import { PullProgressTracker, Throttle } from './pull-progress.js';

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
const PROGRESS: Record<DeployStep, [number, number]> = {
  validate: [0, 5],
  preflight: [5, 10],
  render: [10, 15],
  pull: [15, 60],
  deploy: [60, 85],
  verify: [85, 100],
};

const PULL_EVENT_INTERVAL_MS = 250;
const VERIFY_POLL_MS = 500;
// A container that crashes right after it starts would look running at the first look.
const VERIFY_STABLE_MS = 1500;
const FAILURE_LOG_LINES = 20;
const MAX_OUTPUT_EVENTS = 2000;
const MAX_REASON_CHARS = 4000;
/** Below this much free space in DATA_DIR a deploy is refused: images and app data would fill the disk. */
export const MIN_FREE_BYTES = 256 * 1024 * 1024;

/** A step failed for a reason a user can act on; the message is shown as is. */
export class DeployFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployFailure';
  }
}

class StepStop extends Error {
  constructor(
    readonly status: Extract<DeploymentStatus, 'failed' | 'cancelled'>,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'StepStop';
  }
}

type StepOutcome<T> = { value: T; message: string; details?: Record<string, unknown>; isSkipped?: boolean };

function formatSeconds(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 120 && seconds % 60 === 0 ? `${seconds / 60} minutes` : `${seconds} s`;
}

function truncate(text: string): string {
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS - 1)}…` : text;
}

export function toDeployedContainer(container: ProjectContainer): DeployedContainer {
  return {
    id: container.id.slice(0, 12),
    name: container.name,
    service: container.service,
    image: container.image,
    state: container.state,
    health: container.health,
  };
}

export class DeployRunner {
  private readonly outputCounts = new Map<string, number>();

  constructor(private readonly deps: RunnerDeps) {}

  /** Runs the whole pipeline; never throws (a failure ends the deployment as failed). */
  async run(job: DeployJob): Promise<void> {
    try {
      this.deps.repository.update(job.deploymentId, { status: 'in-progress' }, this.now());
      await this.runStep(job, 'validate', async () => this.validate(job));
      await this.runStep(job, 'preflight', async (signal) => this.preflight(job, signal));
      await this.runStep(job, 'render', async () => this.render(job));
      await this.runStep(job, 'pull', async (signal) => this.pull(job, signal));
      await this.runStep(job, 'deploy', async (signal) => this.up(job, signal));
      const containers = await this.runStep(job, 'verify', async (signal) => this.verify(job, signal), {
        // The verify loop ends itself at DEPLOY_VERIFY_TIMEOUT with a better reason; this is the backstop.
        timeoutMs: this.deps.config.deployVerifyTimeoutSeconds * 1000 + 15_000,
      });
      this.complete(job, containers);
    } catch (error) {
      const stop = error instanceof StepStop ? error : new StepStop('failed', `Unexpected failure: ${(error as Error).message}`);
      await this.finishUnsuccessfully(job, stop);
    } finally {
      this.outputCounts.delete(job.deploymentId);
    }
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private emitStep(
    job: DeployJob,
    step: DeployStep,
    status: StepStatus,
    message: string,
    progress: number,
    details: Record<string, unknown> = {},
  ): void {
    this.deps.repository.update(job.deploymentId, { step, progress }, this.now());
    this.deps.events.append(job.deploymentId, 'deployment-step', { step, status, message, details, progress });
  }

  private emitOutput(job: DeployJob, command: string, output: string, type: 'stdout' | 'stderr'): void {
    const count = (this.outputCounts.get(job.deploymentId) ?? 0) + 1;
    this.outputCounts.set(job.deploymentId, count);
    if (count > MAX_OUTPUT_EVENTS + 1) return;
    const text =
      count > MAX_OUTPUT_EVENTS ? `… further output of this deployment is not stored (more than ${MAX_OUTPUT_EVENTS} lines)` : output;
    this.deps.events.append(job.deploymentId, 'command-output', { command, output: text, type, raw: true });
  }

  private async runStep<T>(
    job: DeployJob,
    step: DeployStep,
    body: (signal: AbortSignal) => Promise<StepOutcome<T>>,
    options: { timeoutMs?: number } = {},
  ): Promise<T> {
    const [start, end] = PROGRESS[step];
    if (job.controller.signal.aborted) throw new StepStop('cancelled', this.cancelReason(job));
    this.emitStep(job, step, 'started', STEP_START_MESSAGES[step], start);
    const timeoutMs = options.timeoutMs ?? this.deps.config.deployStepTimeoutSeconds * 1000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([job.controller.signal, timeout]);
    try {
      const outcome = await body(signal);
      if (job.controller.signal.aborted) throw new Error('cancelled');
      this.emitStep(job, step, outcome.isSkipped ? 'skipped' : 'completed', outcome.message, end, outcome.details);
      return outcome.value;
    } catch (error) {
      const stop = job.controller.signal.aborted
        ? new StepStop('cancelled', this.cancelReason(job))
        : new StepStop(
            'failed',
            truncate(
              timeout.aborted
                ? `The ${step} step did not finish within ${formatSeconds(timeoutMs)}`
                : await this.describeFailureWithDocker(step, error),
            ),
          );
      const progress = this.deps.repository.get(job.deploymentId)?.progress ?? start;
      this.emitStep(job, step, 'failed', stop.reason, progress);
      throw stop;
    }
  }

  private cancelReason(job: DeployJob): string {
    return `Cancelled by ${job.cancelledBy ?? 'a user'}`;
  }

  /**
   * A compose process killed because dockerd went away reports only "exited with code 143"; when the
   * daemon no longer answers, that is the reason the user needs to see.
   */
  private async describeFailureWithDocker(step: DeployStep, error: unknown): Promise<string> {
    const reason = this.describeFailure(step, error);
    if (isDockerUnavailable(error)) return reason;
    const isDockerUp = await this.deps.docker.ping().then(
      () => true,
      () => false,
    );
    return isDockerUp ? reason : `Docker stopped answering during the ${step} step (${reason.split('\n')[0] ?? reason})`;
  }

  private describeFailure(step: DeployStep, error: unknown): string {
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

  private async validate(job: DeployJob): Promise<StepOutcome<void>> {
    return {
      value: undefined,
      message: `${job.entry.app.displayName} can be deployed in ${job.mode} mode${job.isRedeploy ? ' (already deployed: it is updated in place)' : ''}`,
      details: { appId: job.appId, mode: job.mode, variables: job.variableNames, isRedeploy: job.isRedeploy },
    };
  }

  private async preflight(job: DeployJob, signal: AbortSignal): Promise<StepOutcome<void>> {
    const { docker, hostPorts, config, stacks } = this.deps;
    await docker.ping();
    const wanted = job.rendered.ports.filter((port) => port.hostPort !== null);
    const [running, listening] = await Promise.all([docker.listContainers({ all: false }), hostPorts.listListeningSockets()]);
    signal.throwIfAborted();
    const conflicts = findPortConflicts(wanted, running, listening, job.project);
    if (conflicts.length > 0) {
      throw new DeployFailure(
        `${conflicts.map(describePortConflict).join('; ')}. Choose another host port for the deploy (GET /ports/available finds a free one), or stop what holds it.`,
      );
    }
    let networkCreated = false;
    const proxyNetwork = job.mode === 'standard' ? null : config.proxyNetwork;
    if (proxyNetwork) {
      const network = await docker.inspectNetwork(proxyNetwork);
      if (!network) {
        if (!config.autoCreateProxyNetwork) {
          throw new DeployFailure(
            `The Docker network "${proxyNetwork}" that Traefik watches does not exist. Create it (docker network create ${proxyNetwork}) and start Traefik on it, or set AUTO_CREATE_PROXY_NETWORK=true.`,
          );
        }
        await docker.createNetwork(proxyNetwork, { labels: { 'homelabarr.managed': 'true' } });
        networkCreated = true;
      }
    }
    const freeBytes = stacks.freeBytes();
    if (freeBytes < MIN_FREE_BYTES) {
      throw new DeployFailure(
        `Only ${Math.floor(freeBytes / 1024 / 1024)} MiB are free on the disk holding DATA_DIR (${config.dataDir}); at least ${MIN_FREE_BYTES / 1024 / 1024} MiB are needed. Free some space (docker image prune removes unused images) and retry.`,
      );
    }
    const portList = wanted.map((port) => `${port.hostPort}/${port.protocol}`);
    return {
      value: undefined,
      message: [
        'Docker is reachable',
        portList.length > 0 ? `host ports ${portList.join(', ')} are free` : 'no host ports to publish',
        ...(proxyNetwork ? [networkCreated ? `network ${proxyNetwork} was created` : `network ${proxyNetwork} exists`] : []),
      ].join('; '),
      details: { ports: portList, proxyNetwork, networkCreated, freeBytes },
    };
  }

  private async render(job: DeployJob): Promise<StepOutcome<void>> {
    const paths = this.deps.stacks.write(job.stackName, { composeYaml: job.rendered.composeYaml, envFile: job.rendered.envFile });
    return {
      value: undefined,
      message: `Wrote ${paths.composeFile} and its .env (project ${job.project})`,
      details: { directory: paths.directory, project: job.project, services: job.rendered.services, images: job.rendered.images },
    };
  }

  private async pull(job: DeployJob, signal: AbortSignal): Promise<StepOutcome<void>> {
    const images = job.rendered.images;
    const percents = new Map<string, number>(images.map((image) => [image, 0]));
    const [start, end] = PROGRESS.pull;
    const updateProgress = (image: string, percent: number): void => {
      percents.set(image, percent);
      const mean = [...percents.values()].reduce((sum, value) => sum + value, 0) / Math.max(1, percents.size);
      this.deps.repository.update(job.deploymentId, { progress: Math.floor(start + ((end - start) * mean) / 100) }, this.now());
    };
    // One failing pull stops the others: the deploy cannot go on without it.
    const pulls = new AbortController();
    const pullSignal = AbortSignal.any([signal, pulls.signal]);
    const outcomes = await Promise.all(
      images.map(async (image): Promise<'pulled' | 'present' | 'local'> => {
        try {
          return await this.pullOne(job, image, pullSignal, updateProgress);
        } catch (error) {
          pulls.abort();
          throw error;
        }
      }),
    );
    const pulled = images.filter((_, index) => outcomes[index] === 'pulled');
    const present = images.filter((_, index) => outcomes[index] !== 'pulled');
    return {
      value: undefined,
      isSkipped: pulled.length === 0,
      message:
        pulled.length === 0
          ? `All images are present locally: ${images.join(', ')}`
          : `Pulled ${pulled.join(', ')}${present.length > 0 ? `; already present: ${present.join(', ')}` : ''}`,
      details: { images: images.map((image, index) => ({ image, outcome: outcomes[index] })) },
    };
  }

  private async pullOne(
    job: DeployJob,
    image: string,
    signal: AbortSignal,
    updateProgress: (image: string, percent: number) => void,
  ): Promise<'pulled' | 'present' | 'local'> {
    const { docker, events, clock } = this.deps;
    const isPresent = await docker.hasImage(image);
    if (isPresent && !job.isRedeploy) {
      events.append(job.deploymentId, 'pull-progress', { image, percent: 100, bytesDone: 0, bytesTotal: 0, layers: {}, status: 'present' });
      updateProgress(image, 100);
      return 'present';
    }
    const tracker = new PullProgressTracker();
    const throttle = new Throttle(PULL_EVENT_INTERVAL_MS);
    const emit = (isComplete: boolean): void => {
      const snapshot = tracker.snapshot(isComplete);
      events.append(job.deploymentId, 'pull-progress', { image, ...snapshot, status: isComplete ? 'complete' : 'pulling' });
      updateProgress(image, snapshot.percent);
    };
    try {
      await docker.pullImage(image, {
        signal,
        onProgress: (message) => {
          tracker.update(message);
          if (throttle.isDue(clock.nowMs())) emit(false);
        },
      });
    } catch (error) {
      if (!(error instanceof ImagePullError)) throw error;
      if (isPresent) {
        // A redeploy pulls to update; without the registry the local copy still runs.
        this.emitOutput(
          job,
          `docker pull ${image}`,
          `Could not pull ${image} (${error.reason}); using the copy already on this machine`,
          'stderr',
        );
        events.append(job.deploymentId, 'pull-progress', {
          image,
          percent: 100,
          bytesDone: 0,
          bytesTotal: 0,
          layers: {},
          status: 'present',
        });
        updateProgress(image, 100);
        return 'local';
      }
      throw new DeployFailure(
        `The image ${image} could not be pulled: ${error.reason}. Check the image name and tag, and that this machine can reach its registry.`,
      );
    }
    emit(true);
    return 'pulled';
  }

  private composeProject(job: DeployJob): ComposeProject {
    return { name: job.project, directory: this.deps.stacks.paths(job.stackName).directory };
  }

  private async up(job: DeployJob, signal: AbortSignal): Promise<StepOutcome<void>> {
    const command = `docker compose -p ${job.project} up -d`;
    await this.deps.compose.up(this.composeProject(job), {
      timeoutMs: this.deps.config.deployStepTimeoutSeconds * 1000,
      signal,
      onLine: (line, stream) => this.emitOutput(job, command, line, stream),
    });
    return { value: undefined, message: `docker compose up -d finished for project ${job.project}`, details: { command } };
  }

  private async verify(job: DeployJob, signal: AbortSignal): Promise<StepOutcome<DeployedContainer[]>> {
    const { docker, clock, config } = this.deps;
    const deployStartedMs = Date.parse(this.deps.repository.get(job.deploymentId)?.startedAt ?? '') || 0;
    const timeoutMs = config.deployVerifyTimeoutSeconds * 1000;
    const deadline = clock.nowMs() + timeoutMs;
    const baselineRestarts = new Map<string, number>();
    for (;;) {
      const containers = await listProjectContainers(docker, job.project);
      if (containers.length === 0) throw new DeployFailure(`docker compose up finished but project ${job.project} has no containers`);
      const nowMs = clock.nowMs();
      let waitingFor: string | null = null;
      for (const container of containers) {
        // Containers this deploy did not recreate may have restarted long ago; only new restarts count.
        if (!baselineRestarts.has(container.id)) {
          baselineRestarts.set(container.id, Date.parse(container.created) < deployStartedMs ? container.restartCount : 0);
        }
        const restarts = container.restartCount - (baselineRestarts.get(container.id) ?? 0);
        if (container.state === 'exited' && container.exitCode === 0 && restarts === 0) continue;
        if (container.state === 'exited' || container.state === 'dead') {
          throw new DeployFailure(await this.describeBrokenContainer(container, `exited with code ${container.exitCode}`));
        }
        if (container.state === 'restarting' || restarts > 0) {
          throw new DeployFailure(
            await this.describeBrokenContainer(
              container,
              `keeps restarting (exit code ${container.exitCode}, ${Math.max(restarts, 1)} restart(s))`,
            ),
          );
        }
        if (container.health === 'unhealthy') throw new DeployFailure(await this.describeBrokenContainer(container, 'is unhealthy'));
        if (container.state !== 'running') waitingFor ??= `${container.name} is ${container.state}`;
        else if (container.health === 'starting') waitingFor ??= `${container.name} is starting (health check pending)`;
        else if (container.startedAt && nowMs - Date.parse(container.startedAt) < VERIFY_STABLE_MS)
          waitingFor ??= `${container.name} just started`;
      }
      if (!waitingFor) {
        const list = containers.map(toDeployedContainer);
        return {
          value: list,
          message: `${list.length} container(s) running${list.some((item) => item.health === 'healthy') ? ', health checks passing' : ''}`,
          details: { containers: list },
        };
      }
      if (nowMs >= deadline) {
        const stuck = containers.find((container) => waitingFor?.startsWith(container.name)) ?? containers[0];
        throw new DeployFailure(
          await this.describeBrokenContainer(
            stuck as ProjectContainer,
            `did not become ready within ${formatSeconds(timeoutMs)} (${waitingFor})`,
          ),
        );
      }
      await delay(VERIFY_POLL_MS, undefined, { signal });
    }
  }

  private async describeBrokenContainer(container: ProjectContainer, problem: string): Promise<string> {
    let lines: string[] = [];
    try {
      lines = (await this.deps.docker.containerLogs(container.id, { tail: FAILURE_LOG_LINES })).lines.map((line) => line.message);
    } catch {
      // The container may be gone already; the problem alone still says what happened.
    }
    const logs = lines.length > 0 ? `. Last log lines:\n${lines.join('\n')}` : '. It wrote no log lines.';
    return truncate(`Container ${container.name} (service ${container.service}) ${problem}${logs}`);
  }

  private complete(job: DeployJob, containers: DeployedContainer[]): void {
    const completedAt = this.now();
    const result: DeploymentResult = {
      urls: job.rendered.urls,
      ports: job.rendered.ports,
      containers,
    };
    this.deps.repository.update(
      job.deploymentId,
      { status: 'completed', progress: 100, result, finishedAt: completedAt, error: null },
      completedAt,
    );
    this.deps.events.append(job.deploymentId, 'deployment-complete', {
      success: true,
      status: 'completed',
      summary: { appId: job.appId, deploymentMode: job.mode, completedAt, urls: result.urls, containers, error: null },
      completedAt,
    });
    this.deps.activity.record({
      principal: job.principal,
      action: 'deploy.complete',
      target: job.appId,
      ip: job.ip,
      details: { deploymentId: job.deploymentId, mode: job.mode, urls: result.urls },
    });
  }

  private async finishUnsuccessfully(job: DeployJob, stop: StepStop): Promise<void> {
    const step = this.deps.repository.get(job.deploymentId)?.step ?? null;
    if (!job.isRedeploy) await this.cleanUpFirstDeploy(job, stop, step);
    const completedAt = this.now();
    this.deps.repository.update(job.deploymentId, { status: stop.status, error: stop.reason, finishedAt: completedAt }, completedAt);
    this.deps.events.append(job.deploymentId, 'deployment-complete', {
      success: false,
      status: stop.status,
      summary: { appId: job.appId, deploymentMode: job.mode, completedAt, urls: [], containers: [], error: stop.reason },
      completedAt,
    });
    this.deps.activity.record({
      principal: job.principal,
      action: stop.status === 'cancelled' ? 'deploy.cancel' : 'deploy.fail',
      target: job.appId,
      ip: job.ip,
      details: { deploymentId: job.deploymentId, mode: job.mode, step, error: stop.reason.split('\n')[0] ?? '' },
    });
  }

  /**
   * A first deploy that did not succeed leaves nothing half-made behind: a cancelled one loses its
   * containers and files, a failed one its files if no container was started. A first deploy that
   * failed with containers keeps them (and its files), so their logs can be read and
   * DELETE /applications/:appId removes them. A redeploy never touches what ran before.
   */
  private async cleanUpFirstDeploy(job: DeployJob, stop: StepStop, step: DeployStep | null): Promise<void> {
    const hasContainers = step === 'deploy' || step === 'verify';
    if (stop.status === 'failed' && hasContainers) return;
    if (hasContainers) {
      const command = `docker compose -p ${job.project} down`;
      try {
        await this.deps.compose.down(this.composeProject(job), false, {
          timeoutMs: 120_000,
          onLine: (line, stream) => this.emitOutput(job, command, line, stream),
        });
      } catch (error) {
        this.emitOutput(job, command, `Could not remove the cancelled deploy's containers: ${(error as Error).message}`, 'stderr');
        return;
      }
    }
    this.deps.stacks.remove(job.stackName);
  }
}

const STEP_START_MESSAGES: Record<DeployStep, string> = {
  validate: 'Checking the app, the mode and the configuration',
  preflight: 'Checking Docker, host ports, networks and disk space',
  render: 'Writing compose.yaml and .env',
  pull: 'Pulling images',
  deploy: 'Starting containers with docker compose up -d',
  verify: 'Waiting for the containers to run (and pass their health checks)',
};
