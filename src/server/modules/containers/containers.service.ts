// Containers over the Docker Engine API: list (with live stats), logs and lifecycle actions.
import {
  ContainerListSchema,
  type Container,
  type ContainerAction,
  type ContainerList,
  type ContainerLogs,
  type ContainerLogsQuery,
  type ContainerStats,
} from '../../../contracts/containers.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import { containerNotFound } from '../../app-errors/docker.js';
import type { ContainerDetails, DockerEngine } from '../../infra/docker/engine.js';
import type { ActivityService } from '../activity/index.js';
import type { Principal } from '../../principal.js';
import { findContainerApp } from '../stacks/index.js';
import { formatDockerPsPorts } from './docker-ps-ports.js';
import { FreshSharedCall } from './fresh-shared-call.js';
import type { StatsSampler } from './stats-sampler.js';

/** Who asked, for the activity log. */
export type Actor = { principal: Principal | null; ip: string | null };

const DURATION_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export class ContainersService {
  /**
   * GET /containers bodies, shared by concurrent pollers: one Docker call, one mapping and one
   * serialization answer every request that arrived while the previous answer was being made,
   * and each answer is fetched after its requests arrived (see FreshSharedCall).
   */
  private readonly bodies: { plain: FreshSharedCall<string>; withStats: FreshSharedCall<string> };

  constructor(
    private readonly deps: {
      docker: DockerEngine;
      sampler: StatsSampler;
      activity: ActivityService;
      clock: Clock;
      composeProjectPrefix: string;
    },
  ) {
    const serialize = async (withStats: boolean): Promise<string> =>
      JSON.stringify(ContainerListSchema.parse(await this.list({ withStats })));
    this.bodies = { plain: new FreshSharedCall(() => serialize(false)), withStats: new FreshSharedCall(() => serialize(true)) };
  }

  /** The GET /containers body as JSON text (see `bodies`). */
  listBody(options: { withStats: boolean }): Promise<string> {
    return (options.withStats ? this.bodies.withStats : this.bodies.plain).run();
  }

  async list(options: { withStats: boolean }): Promise<ContainerList> {
    const summaries = await this.deps.docker.listContainers({ all: true });
    const running = summaries.filter((summary) => summary.state === 'running').map((summary) => summary.id);
    const stats = options.withStats ? await this.deps.sampler.statsFor(running) : null;
    const containers: Container[] = summaries.map((summary) => {
      const container: Container = {
        Id: summary.id,
        Names: summary.names,
        Image: summary.image,
        ImageID: summary.imageId,
        Command: summary.command,
        State: summary.state,
        Status: summary.status,
        Ports: formatDockerPsPorts(summary.ports),
        Created: summary.created,
        Labels: summary.labels,
        ports: summary.ports,
        app: findContainerApp(summary.labels, this.deps.composeProjectPrefix),
      };
      if (stats) container.stats = stats.get(summary.id) ?? null;
      return container;
    });
    return { success: true, containers, docker: { status: 'connected', message: 'Docker Engine API' } };
  }

  async stats(id: string): Promise<{ success: true; containerId: string; stats: ContainerStats | null }> {
    const details = await this.require(id);
    if (!details.state.isRunning) return { success: true, containerId: id, stats: null };
    const stats = await this.deps.sampler.statsFor([details.id]);
    return { success: true, containerId: id, stats: stats.get(details.id) ?? null };
  }

  async logs(id: string, query: ContainerLogsQuery): Promise<ContainerLogs> {
    const sinceSeconds = query.since === undefined ? undefined : this.toUnixSeconds(query.since);
    const { isTty, lines } = await this.deps.docker.containerLogs(id, { tail: query.tail, sinceSeconds });
    const text = lines.map((line) => (query.timestamps && line.timestamp ? `${line.timestamp} ${line.message}` : line.message)).join('\n');
    return { success: true, containerId: id, tty: isTty, logs: text, lines };
  }

  async start(id: string, actor: Actor): Promise<ContainerAction> {
    const details = await this.require(id);
    const { changed } = await this.deps.docker.startContainer(details.id);
    this.deps.sampler.forget(details.id);
    this.record(actor, 'container.start', details, { changed });
    return this.answer(id, changed, changed ? `Container ${details.name} started` : `Container ${details.name} is already running`);
  }

  async stop(id: string, options: { timeoutSeconds?: number }, actor: Actor): Promise<ContainerAction> {
    const details = await this.require(id);
    const { changed } = await this.deps.docker.stopContainer(details.id, options);
    this.deps.sampler.forget(details.id);
    this.record(actor, 'container.stop', details, { changed, timeoutSeconds: options.timeoutSeconds ?? null });
    return this.answer(id, changed, changed ? `Container ${details.name} stopped` : `Container ${details.name} is already stopped`);
  }

  async restart(id: string, options: { timeoutSeconds?: number }, actor: Actor): Promise<ContainerAction> {
    const details = await this.require(id);
    await this.deps.docker.restartContainer(details.id, options);
    this.deps.sampler.forget(details.id);
    this.record(actor, 'container.restart', details, { timeoutSeconds: options.timeoutSeconds ?? null });
    return this.answer(id, true, `Container ${details.name} restarted`);
  }

  async remove(id: string, options: { force: boolean; removeVolumes: boolean }, actor: Actor): Promise<ContainerAction> {
    const details = await this.require(id);
    await this.deps.docker.removeContainer(details.id, options);
    this.deps.sampler.forget(details.id);
    this.record(actor, 'container.remove', details, options);
    return this.answer(id, true, `Container ${details.name} removed`);
  }

  /** Ends every stats stream; called when the server closes. */
  closeStatsStreams(): void {
    this.deps.sampler.close();
  }

  private async require(id: string): Promise<ContainerDetails> {
    const details = await this.deps.docker.inspectContainer(id);
    if (!details) throw containerNotFound(id);
    return details;
  }

  private answer(containerId: string, changed: boolean, message: string): ContainerAction {
    return { success: true, message, containerId, changed };
  }

  private record(actor: Actor, action: string, details: ContainerDetails, extra: Record<string, unknown>): void {
    this.deps.activity.record({
      principal: actor.principal,
      action,
      target: details.name,
      ip: actor.ip,
      details: { containerId: details.id, image: details.image, ...extra },
    });
  }

  /** Docker's `since` is Unix seconds; the API also takes RFC 3339 times and "that long ago" durations. */
  private toUnixSeconds(since: string): number {
    const duration = /^(\d+)([smhd])$/.exec(since);
    if (duration)
      return Math.max(0, Math.floor(this.deps.clock.nowMs() / 1000) - Number(duration[1]) * (DURATION_SECONDS[duration[2]!] ?? 1));
    if (/^\d+(\.\d+)?$/.test(since)) return Number(since);
    const parsedMs = Date.parse(since);
    if (Number.isNaN(parsedMs))
      throw new AppError('VALIDATION_FAILED', 'Invalid request', `querystring.since: ${since} is not a valid time`);
    return Math.floor(parsedMs / 1000);
  }
}
