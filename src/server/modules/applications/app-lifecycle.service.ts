// Stop, remove and read the logs of a deployed app: always on the app's own compose project
// (hlr-<appId>) and its rendered files, never on containers that merely look alike.
import type { AppLogEntry, DeployedContainer } from '../../../contracts/deployments.js';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { ComposeProject, ComposeRunner } from '../../infra/compose-cli.js';
import type { DockerEngine } from '../../infra/docker/engine.js';
import { CommandError } from '../../infra/run-command.js';
import type { StackFiles } from '../../infra/stack-files.js';
import type { ActivityService } from '../activity/index.js';
import type { Principal } from '../../principal.js';
import {
  composeProjectName,
  listProjectContainers,
  stackNameFor,
  toDeployedContainer,
  type AppLocks,
  type AppOperation,
  type ProjectContainer,
} from '../stacks/index.js';

export type AppLifecycleDeps = {
  config: Config;
  docker: DockerEngine;
  compose: ComposeRunner;
  stacks: StackFiles;
  locks: AppLocks;
  activity: ActivityService;
};

type DeployedApp = { project: ComposeProject; containers: ProjectContainer[] };

// Stopping waits out each container's grace period; removal too.
const COMPOSE_TIMEOUT_MS = 5 * 60_000;

export class AppLifecycleService {
  constructor(private readonly deps: AppLifecycleDeps) {}

  private async locate(appId: string): Promise<DeployedApp> {
    const { config, docker, stacks } = this.deps;
    const stackName = stackNameFor(appId);
    const name = composeProjectName(config.composeProjectPrefix, appId);
    const hasFiles = stacks.exists(stackName);
    const containers = await listProjectContainers(docker, name);
    if (!hasFiles && containers.length === 0) {
      throw new AppError(
        'NOT_FOUND',
        'App not deployed',
        `${appId} has no compose project (${name}) on this server; deploy it first with POST /deploy`,
      );
    }
    return { project: { name, directory: hasFiles ? stacks.paths(stackName).directory : null }, containers };
  }

  private async withLock<T>(appId: string, kind: AppOperation['kind'], work: () => Promise<T>): Promise<T> {
    const operation: AppOperation = { kind };
    if (!this.deps.locks.tryAcquire(appId, operation)) throw this.deps.locks.busyError(appId, appId, kind);
    try {
      return await work();
    } finally {
      this.deps.locks.release(appId, operation);
    }
  }

  private composeFailure(action: string, appId: string, error: unknown): never {
    if (error instanceof CommandError) {
      throw new AppError(
        'UPSTREAM_FAILED',
        `Could not ${action} ${appId}`,
        `${error.message}${error.stderrTail.length > 3 ? `\n${error.stderrTail.slice(-10).join('\n')}` : ''}`,
      );
    }
    throw error;
  }

  async stop(principal: Principal | null, appId: string, ip: string | null): Promise<{ message: string; containers: DeployedContainer[] }> {
    return this.withLock(appId, 'stop', async () => {
      const app = await this.locate(appId);
      await this.deps.docker.ping();
      if (app.project.directory) {
        await this.deps.compose
          .stop(app.project, { timeoutMs: COMPOSE_TIMEOUT_MS })
          .catch((error: unknown) => this.composeFailure('stop', appId, error));
      } else {
        // The rendered files are gone: stop the project's containers directly.
        await Promise.all(app.containers.map((container) => this.deps.docker.stopContainer(container.id)));
      }
      const containers = (await listProjectContainers(this.deps.docker, app.project.name)).map(toDeployedContainer);
      this.deps.activity.record({
        principal,
        action: 'app.stop',
        target: appId,
        ip,
        details: { project: app.project.name, containers: containers.map((c) => c.name) },
      });
      return { message: `${appId} stopped (${containers.length} container(s))`, containers };
    });
  }

  async remove(
    principal: Principal | null,
    appId: string,
    removeVolumes: boolean,
    ip: string | null,
  ): Promise<{ message: string; removedVolumes: boolean }> {
    return this.withLock(appId, 'remove', async () => {
      const app = await this.locate(appId);
      await this.deps.docker.ping();
      const compose = await this.deps.compose.detect();
      if (compose.isV2) {
        // compose v2 finds a project's containers, networks and volumes by name even without its files.
        // v1 (or no compose) cannot read the files the renderer writes: the containers are removed one by one.
        await this.deps.compose
          .down(app.project, removeVolumes, { timeoutMs: COMPOSE_TIMEOUT_MS })
          .catch((error: unknown) => this.composeFailure('remove', appId, error));
      } else {
        await Promise.all(
          app.containers.map((container) => this.deps.docker.removeContainer(container.id, { force: true, removeVolumes })),
        );
      }
      this.deps.stacks.remove(stackNameFor(appId));
      this.deps.activity.record({
        principal,
        action: 'app.remove',
        target: appId,
        ip,
        details: { project: app.project.name, removeVolumes },
      });
      return {
        message: `${appId} removed${removeVolumes ? ' with its volumes' : ''}; its data under APPFOLDER was kept`,
        removedVolumes: removeVolumes,
      };
    });
  }

  async logs(appId: string, lines: number): Promise<{ logs: string; entries: AppLogEntry[] }> {
    const app = await this.locate(appId);
    const perContainer = await Promise.all(
      app.containers.map(async (container) => {
        const result = await this.deps.docker.containerLogs(container.id, { tail: lines }).catch(() => ({ isTty: false, lines: [] }));
        return result.lines.map((line, index) => ({
          entry: {
            service: container.service,
            container: container.name,
            timestamp: line.timestamp,
            stream: line.stream,
            message: line.message,
          },
          index,
        }));
      }),
    );
    // Interleave the containers by time; lines of one container keep their own order.
    const merged = perContainer
      .flat()
      .sort((a, b) => (a.entry.timestamp ?? '').localeCompare(b.entry.timestamp ?? '') || a.index - b.index)
      .map((item) => item.entry)
      .slice(-lines);
    return { logs: merged.map((entry) => `${entry.service} | ${entry.message}`).join('\n'), entries: merged };
  }
}
