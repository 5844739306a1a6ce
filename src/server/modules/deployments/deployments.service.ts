// Deployments: accept a deploy (validating everything before a deployment exists), run it in the
// background with a per-app lock, answer status and history, cancel, and recover after a restart.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  AppIdSchema,
  type DeployAccepted,
  type DeployRequest,
  type Deployment,
  type DeploymentStatus,
} from '../../../contracts/deployments.js';
import { AppError, notFound } from '../../errors.js';
import type { Principal } from '../../principal.js';
import { globalDefaultsFromConfig, type CatalogEntry } from '../catalog/index.js';
import { resolveDeployValues } from '../catalog/index.js';
import { renderCompose, type RenderedStack } from '../catalog/index.js';
import {
  APP_ID_LABEL,
  COMPOSE_PROJECT_LABEL,
  composeProjectName,
  DEPLOYMENT_ID_LABEL,
  listProjectContainers,
  stackNameFor,
  toDeployedContainer,
  type AppLocks,
  type AppOperation,
} from '../stacks/index.js';
import type { DeployJob, RunnerDeps } from './deploy-job.js';
import { DeployRunner } from './deploy-runner.js';
import type { StoredEvent } from './deployments.repository.js';

export type DeploymentsServiceDeps = RunnerDeps & {
  catalog: { get(appId: string): CatalogEntry | null };
  locks: AppLocks;
};

type RunningJob = { job: DeployJob; done: Promise<void> };

// How long POST /deployments/:id/cancel waits for the runner to stop before answering.
const CANCEL_WAIT_MS = 30_000;

export const COMPOSE_SETUP_FIX =
  'Deploys need docker compose v2. Install it with sudo bash scripts/setup-host.sh (Docker Engine and compose v2 from Debian’s archive), or set COMPOSE_BINARY to a docker-compose binary; the server finds it without a restart.';

export class DeploymentsService {
  private readonly runningByApp = new Map<string, RunningJob>();
  private readonly runner: DeployRunner;

  constructor(private readonly deps: DeploymentsServiceDeps) {
    this.runner = new DeployRunner(deps);
  }

  async start(principal: Principal | null, request: DeployRequest, ip: string | null): Promise<DeployAccepted> {
    const { config, catalog, stacks, docker, compose, repository, activity, clock } = this.deps;
    const entry = catalog.get(request.appId);
    if (!entry) throw notFound('App', `No app with the id ${request.appId} is in the catalog; GET /applications lists them`);
    const appId = entry.app.id;
    // The id names a folder and a compose project; a catalog file with an odd name must not reach either.
    if (!AppIdSchema.safeParse(appId).success) {
      throw new AppError(
        'VALIDATION_FAILED',
        'This app cannot be deployed',
        `The app id ${JSON.stringify(appId)} is not usable as a folder and project name; rename its template file`,
      );
    }
    const mode = request.mode.type;
    const stackName = stackNameFor(appId);
    const project = composeProjectName(config.composeProjectPrefix, appId);
    const isRedeploy = stacks.exists(stackName);

    const isAdmin = !config.authEnabled || principal?.role === 'admin';
    const { values, containerName } = resolveDeployValues(entry, request.config, {
      isAdmin,
      mode,
      globals: globalDefaultsFromConfig(config),
      keptSecrets: isRedeploy ? stacks.readEnv(stackName) : null,
    });
    const deploymentId = randomUUID();
    const rendered: RenderedStack = renderCompose({
      entry,
      mode,
      values,
      settings: {
        projectName: project,
        proxyNetwork: config.proxyNetwork,
        entrypoint: config.traefikEntrypoint,
        certResolver: config.traefikCertResolver,
        autheliaMiddleware: config.autheliaMiddleware,
        domain: config.domain,
        publishPortsInProxyModes: request.mode.publishPorts,
        labels: { [APP_ID_LABEL]: appId, [DEPLOYMENT_ID_LABEL]: deploymentId },
        containerName,
      },
    });

    if (this.deps.locks.holder(appId)) throw this.deps.locks.busyError(appId, entry.app.displayName, 'deploy');
    await docker.ping();
    if (containerName) await this.assertContainerNameFree(containerName, project);
    const composeInfo = await compose.detect();
    if (!composeInfo.available) throw new AppError('COMPOSE_UNAVAILABLE', 'docker compose is not installed', COMPOSE_SETUP_FIX);
    // v1 rejects the top-level `name:` of the files the renderer writes: refuse here, before
    // anything is written, rather than fail at `up` with v1's schema error.
    if (!composeInfo.isV2) {
      throw new AppError(
        'COMPOSE_UNAVAILABLE',
        `docker-compose ${composeInfo.version ?? ''} is v1, which cannot deploy`,
        COMPOSE_SETUP_FIX,
      );
    }
    // The checks above waited on Docker: another request for the same app may have taken the lock meanwhile.
    const operation: AppOperation = { kind: 'deploy', deploymentId };
    if (!this.deps.locks.tryAcquire(appId, operation)) throw this.deps.locks.busyError(appId, entry.app.displayName, 'deploy');

    const configKeys = Object.keys(request.config).sort();
    repository.create({
      id: deploymentId,
      appId,
      mode,
      project,
      isRedeploy,
      userId: principal?.userId ?? null,
      username: principal?.username ?? null,
      configKeys,
      startedAt: clock.now().toISOString(),
    });
    const job: DeployJob = {
      deploymentId,
      appId,
      entry,
      mode,
      rendered,
      variableNames: Object.keys(values).sort(),
      stackName,
      project,
      isRedeploy,
      principal,
      ip,
      controller: new AbortController(),
      cancelledBy: null,
    };
    // The answer goes out first; the runner starts on the next turn of the event loop.
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.runner.run(job))
      // run() records its own failures; this only keeps a broken database from crashing the process.
      .catch(() => undefined)
      .finally(() => {
        if (this.runningByApp.get(appId)?.job === job) this.runningByApp.delete(appId);
        this.deps.locks.release(appId, operation);
      });
    this.runningByApp.set(appId, { job, done });
    activity.record({
      principal,
      action: 'deploy.start',
      target: appId,
      ip,
      details: { deploymentId, mode, isRedeploy, config: configKeys },
    });
    return {
      success: true,
      message: `${appId} deployment started with real-time progress tracking`,
      deploymentId,
      source: 'cli-streaming',
      appId,
      streamEndpoint: '/stream/progress',
      statusEndpoint: `/deployments/${deploymentId}/status`,
    };
  }

  /** A name Docker already gives another container would fail `up` halfway; the app's own containers may keep theirs on a redeploy. */
  private async assertContainerNameFree(containerName: string, project: string): Promise<void> {
    const containers = await this.deps.docker.listContainers({ all: true });
    const holder = containers.find((container) => container.names.some((name) => name.replace(/^\//, '') === containerName));
    if (!holder || holder.labels[COMPOSE_PROJECT_LABEL] === project) return;
    const appId = holder.labels[APP_ID_LABEL];
    throw new AppError(
      'CONFLICT',
      `The container name ${containerName} is taken`,
      `A container named ${containerName} already exists (${holder.image}, ${holder.state}${appId ? `, app ${appId}` : ''}). Choose another containerName, or leave it empty for the default name.`,
    );
  }

  get(deploymentId: string): Deployment {
    const deployment = this.deps.repository.get(deploymentId);
    if (!deployment) throw notFound('Deployment', `No deployment has the id ${deploymentId}`);
    return deployment;
  }

  exists(deploymentId: string): boolean {
    return this.deps.repository.get(deploymentId) !== null;
  }

  active(): Deployment[] {
    return this.deps.repository.listActive();
  }

  list(query: { limit: number; offset: number; appId?: string; status?: DeploymentStatus }): { deployments: Deployment[]; total: number } {
    return this.deps.repository.list(query);
  }

  events(deploymentId: string, afterId: number, limit: number): StoredEvent[] {
    this.get(deploymentId);
    return this.deps.events.eventsAfter(deploymentId, afterId, limit);
  }

  async cancel(principal: Principal | null, deploymentId: string, ip: string | null): Promise<Deployment> {
    const deployment = this.get(deploymentId);
    const running = this.runningByApp.get(deployment.appId);
    if (!running || running.job.deploymentId !== deploymentId) {
      throw new AppError(
        'CONFLICT',
        'Deployment already finished',
        `Deployment ${deploymentId} is ${deployment.status}; only queued and in-progress deployments can be cancelled`,
      );
    }
    running.job.cancelledBy = principal?.username ?? 'an anonymous user';
    running.job.controller.abort();
    this.deps.activity.record({ principal, action: 'deploy.cancel_request', target: deployment.appId, ip, details: { deploymentId } });
    await Promise.race([running.done, delay(CANCEL_WAIT_MS, undefined, { ref: false })]);
    return this.get(deploymentId);
  }

  /** Resolves once every deploy running now has ended. */
  async settled(): Promise<void> {
    await Promise.all([...this.runningByApp.values()].map((running) => running.done));
  }

  /**
   * At start: deployments a previous process left queued or in progress are marked interrupted,
   * with what Docker runs for them now, so nobody waits on a deploy that will never finish.
   */
  async recoverInterrupted(): Promise<Deployment[]> {
    const { repository, events, docker, clock } = this.deps;
    const orphans = repository
      .listActive()
      .filter((deployment) => this.runningByApp.get(deployment.appId)?.job.deploymentId !== deployment.id);
    const recovered: Deployment[] = [];
    for (const deployment of orphans) {
      let note: string;
      let containers: ReturnType<typeof toDeployedContainer>[] = [];
      try {
        const found = await listProjectContainers(docker, deployment.project);
        containers = found.map(toDeployedContainer);
        if (found.length === 0) note = 'None of its containers exist.';
        else if (found.every((container) => container.state === 'running'))
          note = `Its containers are running: ${found.map((container) => container.name).join(', ')}.`;
        else note = `Its containers: ${found.map((container) => `${container.name} (${container.state})`).join(', ')}.`;
      } catch {
        note = 'Docker was not reachable, so what runs for it is unknown.';
      }
      const where = deployment.step ? `at the ${deployment.step} step` : 'queued';
      const reason = `The server stopped while this deployment was ${where}. ${note} Deploy the app again to finish it.`;
      const finishedAt = clock.now().toISOString();
      events.append(deployment.id, 'deployment-step', {
        step: deployment.step ?? 'validate',
        status: 'failed',
        message: reason,
        details: { interrupted: true },
        progress: deployment.progress,
      });
      repository.update(
        deployment.id,
        { status: 'interrupted', error: reason, finishedAt, result: containers.length > 0 ? { urls: [], ports: [], containers } : null },
        finishedAt,
      );
      events.append(deployment.id, 'deployment-complete', {
        success: false,
        status: 'interrupted',
        summary: { appId: deployment.appId, deploymentMode: deployment.mode, completedAt: finishedAt, urls: [], containers, error: reason },
        completedAt: finishedAt,
      });
      recovered.push(this.get(deployment.id));
    }
    return recovered;
  }
}
