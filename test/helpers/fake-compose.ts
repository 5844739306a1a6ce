// A docker compose stand-in for api-tier tests. `up` reads the rendered compose.yaml and creates
// one running container per service in a FakeDockerEngine, labelled the way compose labels them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ComposeCallOptions, ComposeInfo, ComposeProject, ComposeRunner } from '../../src/server/infra/compose-cli.js';
import { CommandError } from '../../src/server/infra/run-command.js';
import type { FakeContainer, FakeDockerEngine } from './fake-docker.js';

export const FAKE_COMPOSE_INFO: ComposeInfo = { available: true, version: '2.26.1', command: 'docker', baseArgs: ['compose'], isV2: true };

type ComposeFile = { services: Record<string, { image?: string; labels?: Record<string, string>; container_name?: string }> };

export type FakeComposeCall = { action: 'up' | 'stop' | 'down'; project: ComposeProject; removeVolumes?: boolean };

export class FakeComposeRunner implements ComposeRunner {
  info: ComposeInfo = FAKE_COMPOSE_INFO;
  readonly calls: FakeComposeCall[] = [];
  /** Lines `up` prints (to stderr, like compose v2). */
  upLines: string[] = ['Container {project}-{service}-1  Creating', 'Container {project}-{service}-1  Started'];
  /** Makes the next `up` fail like compose exiting with this code and stderr. */
  upFailure: { exitCode: number; stderr: string[] } | null = null;
  /** `up` waits until it is cancelled (or times out), like a compose stuck on a slow daemon. */
  isUpHanging = false;
  /** Applied to every container `up` creates (health, state, logs, …). */
  containerFields: Partial<FakeContainer> = {};
  private upStarted: (() => void)[] = [];

  constructor(private readonly docker: FakeDockerEngine) {}

  async detect(): Promise<ComposeInfo> {
    return this.info;
  }

  current(): ComposeInfo {
    return this.info;
  }

  /** Resolves when the next `up` has started. */
  nextUp(): Promise<void> {
    return new Promise((resolve) => this.upStarted.push(resolve));
  }

  async up(project: ComposeProject, options: ComposeCallOptions): Promise<void> {
    this.calls.push({ action: 'up', project });
    options.onCommand?.(`docker compose -p ${project.name} up -d --remove-orphans`);
    for (const resolve of this.upStarted.splice(0)) resolve();
    const file = parseYaml(readFileSync(path.join(project.directory ?? '', 'compose.yaml'), 'utf8')) as ComposeFile;
    const services = Object.keys(file.services);
    for (const service of services) {
      for (const line of this.upLines) options.onLine?.(line.replace('{project}', project.name).replace('{service}', service), 'stderr');
    }
    if (this.isUpHanging) {
      await new Promise<void>((_resolve, reject) => {
        const fail = (): void =>
          reject(
            new CommandError({
              command: 'docker',
              args: ['compose', 'up', '-d'],
              exitCode: null,
              signal: 'SIGTERM',
              cancelled: options.signal?.aborted ?? false,
              durationMs: 0,
            }),
          );
        if (options.signal?.aborted) fail();
        options.signal?.addEventListener('abort', fail, { once: true });
      });
    }
    if (this.upFailure) {
      const failure = this.upFailure;
      this.upFailure = null;
      for (const line of failure.stderr) options.onLine?.(line, 'stderr');
      throw new CommandError({
        command: 'docker',
        args: ['compose', 'up', '-d'],
        exitCode: failure.exitCode,
        stderrTail: failure.stderr,
        durationMs: 10,
      });
    }
    for (const [service, definition] of Object.entries(file.services)) {
      const name = definition.container_name ?? `${project.name}-${service}-1`;
      // Compose recreates the service's container, whatever it was called before.
      for (const existing of [...this.docker.containers.values()]) {
        const isSameService =
          existing.labels['com.docker.compose.project'] === project.name && existing.labels['com.docker.compose.service'] === service;
        if (existing.name === name || isSameService) this.docker.containers.delete(existing.id);
      }
      this.docker.addContainer({
        name,
        image: definition.image ?? 'unknown',
        labels: { ...(definition.labels ?? {}), 'com.docker.compose.project': project.name, 'com.docker.compose.service': service },
        ...this.containerFields,
      });
    }
  }

  private projectContainers(project: ComposeProject): FakeContainer[] {
    return [...this.docker.containers.values()].filter((container) => container.labels['com.docker.compose.project'] === project.name);
  }

  async stop(project: ComposeProject): Promise<void> {
    this.calls.push({ action: 'stop', project });
    for (const container of this.projectContainers(project)) container.state = 'exited';
  }

  async down(project: ComposeProject, removeVolumes: boolean): Promise<void> {
    this.calls.push({ action: 'down', project, removeVolumes });
    for (const container of this.projectContainers(project)) this.docker.containers.delete(container.id);
  }
}
