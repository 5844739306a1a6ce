// The deploy pipeline: validate → preflight → render → pull → deploy → verify, then complete.
// This file is the step machinery (events, progress, timeouts, cancel, the end of a deploy); each
// step's body lives in steps/. Every step change is stored as an event (and broadcast) as it
// happens; the deployment row follows along so GET /deployments/:id/status always tells where a
// deploy is.
import type { DeployedContainer, DeploymentResult, DeploymentStatus, DeployStep } from '../../../contracts/deployments.js';
import type { StepStatus } from '../../../contracts/stream.js';
import { STEP_PROGRESS, type DeployJob, type RunnerDeps, type StepContext, type StepOutcome } from './deploy-job.js';
import { describeStepFailure, formatSeconds, truncateReason } from './failure-description.js';
import { preflightStep } from './steps/preflight-step.js';
import { pullStep } from './steps/pull-step.js';
import { composeProjectOf, composeUpStep, renderStep, validateStep } from './steps/stack-steps.js';
import { verifyStep } from './steps/verify-step.js';

const MAX_OUTPUT_EVENTS = 2000;

const STEP_START_MESSAGES: Record<DeployStep, string> = {
  validate: 'Checking the app, the mode and the configuration',
  preflight: 'Checking Docker, host ports, networks and disk space',
  render: 'Writing compose.yaml and .env',
  pull: 'Pulling images',
  deploy: 'Starting containers with docker compose up -d',
  verify: 'Waiting for the containers to run (and pass their health checks)',
};

/** Ends the pipeline: the deploy failed or was cancelled, for `reason`. */
class StepStop extends Error {
  constructor(
    readonly status: Extract<DeploymentStatus, 'failed' | 'cancelled'>,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'StepStop';
  }
}

type StepBody<T> = (context: StepContext) => Promise<StepOutcome<T>>;

export class DeployRunner {
  private readonly outputCounts = new Map<string, number>();

  constructor(private readonly deps: RunnerDeps) {}

  /** Runs the whole pipeline; never throws (a failure ends the deployment as failed). */
  async run(job: DeployJob): Promise<void> {
    try {
      this.deps.repository.update(job.deploymentId, { status: 'in-progress' }, this.now());
      await this.runStep(job, 'validate', validateStep);
      await this.runStep(job, 'preflight', preflightStep);
      await this.runStep(job, 'render', renderStep);
      await this.runStep(job, 'pull', pullStep);
      await this.runStep(job, 'deploy', composeUpStep);
      const containers = await this.runStep(job, 'verify', verifyStep, {
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

  private async runStep<T>(job: DeployJob, step: DeployStep, body: StepBody<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const [start, end] = STEP_PROGRESS[step];
    if (job.controller.signal.aborted) throw new StepStop('cancelled', this.cancelReason(job));
    this.emitStep(job, step, 'started', STEP_START_MESSAGES[step], start);
    const timeoutMs = options.timeoutMs ?? this.deps.config.deployStepTimeoutSeconds * 1000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([job.controller.signal, timeout]);
    try {
      const outcome = await body({
        job,
        deps: this.deps,
        signal,
        emitOutput: (command, output, type) => this.emitOutput(job, command, output, type),
      });
      if (job.controller.signal.aborted) throw new Error('cancelled');
      this.emitStep(job, step, outcome.isSkipped ? 'skipped' : 'completed', outcome.message, end, outcome.details);
      return outcome.value;
    } catch (error) {
      const stop = job.controller.signal.aborted
        ? new StepStop('cancelled', this.cancelReason(job))
        : new StepStop(
            'failed',
            truncateReason(
              timeout.aborted
                ? `The ${step} step did not finish within ${formatSeconds(timeoutMs)}`
                : await describeStepFailure(this.deps.docker, step, error),
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
      let command = 'docker compose down';
      try {
        await this.deps.compose.down(composeProjectOf(this.deps, job), false, {
          timeoutMs: 120_000,
          onCommand: (commandLine) => (command = commandLine),
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
