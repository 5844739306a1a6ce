// A Docker Engine stand-in for api-tier tests. It behaves like a daemon that is up or down.
import {
  ContainerNotFoundError,
  DockerConflictError,
  DockerUnavailableError,
  type ContainerDetails,
  type ContainerLogLine,
  type ContainerPort,
  type ContainerStatsSample,
  type ContainerSummary,
  type DockerEngine,
  type DockerVersion,
  ImagePullError,
  type NetworkSummary,
  type PullMessage,
} from '../../src/server/infra/docker/engine.js';

/** A container held by FakeDockerEngine; tests change its fields directly. */
export type FakeContainer = {
  id: string;
  name: string;
  image: string;
  state: 'running' | 'exited' | 'created' | 'paused';
  created: number;
  startedAt: string | null;
  labels: Record<string, string>;
  ports: ContainerPort[];
  isTty: boolean;
  logs: ContainerLogLine[];
  /** CPU nanoseconds the container burns per stats tick (drives the fake stats stream). */
  cpuPerTickNs: number;
  memoryUsage: number;
  exitCode?: number;
  /** starting, healthy, unhealthy; null or absent without a healthcheck. */
  health?: string | null;
  restartCount?: number;
};

/** How a fake pull of one image behaves. */
export type FakePull = { messages?: PullMessage[]; failure?: string; delayMs?: number };

/** A two-layer pull, as Docker reports it. */
export const FAKE_PULL_MESSAGES: PullMessage[] = [
  { status: 'Pulling from library/app', id: '1' },
  { status: 'Pulling fs layer', id: 'aaaaaaaaaaaa' },
  { status: 'Pulling fs layer', id: 'bbbbbbbbbbbb' },
  { status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 500, total: 1000 } },
  { status: 'Downloading', id: 'bbbbbbbbbbbb', progressDetail: { current: 1000, total: 3000 } },
  { status: 'Download complete', id: 'aaaaaaaaaaaa' },
  { status: 'Downloading', id: 'bbbbbbbbbbbb', progressDetail: { current: 3000, total: 3000 } },
  { status: 'Pull complete', id: 'aaaaaaaaaaaa' },
  { status: 'Pull complete', id: 'bbbbbbbbbbbb' },
  { status: 'Digest: sha256:0000' },
  { status: 'Status: Downloaded newer image for app:1' },
];

export class FakeDockerEngine implements DockerEngine {
  isUp = true;
  versionInfo: DockerVersion = { version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64', kernelVersion: '6.1.0' };

  readonly containers = new Map<string, FakeContainer>();
  /** Every container action, in order, for assertions. */
  readonly actions: { action: string; id: string; options?: unknown }[] = [];
  /** Interval of the fake stats stream; the first sample is sent at once, like Docker does. */
  statsIntervalMs = 50;
  /** Delay before a stream's first sample (Docker's is up to a second when other streams are open). */
  statsFirstSampleDelayMs = 0;
  openStatsStreams = 0;
  statsStreamsOpened = 0;
  private nextId = 1;

  addContainer(fields: Partial<FakeContainer> & { name: string }): FakeContainer {
    const id = fields.id ?? `${(this.nextId++).toString(16).padStart(4, '0')}${'ab'.repeat(30)}`;
    const container: FakeContainer = {
      id,
      image: 'busybox:latest',
      state: 'running',
      created: 1_700_000_000,
      startedAt: fields.state === 'exited' || fields.state === 'created' ? null : new Date(Date.now() - 60_000).toISOString(),
      labels: {},
      ports: [],
      isTty: false,
      logs: [],
      cpuPerTickNs: 10_000_000,
      memoryUsage: 50 * 1024 * 1024,
      ...fields,
    };
    this.containers.set(id, container);
    return container;
  }

  private find(idOrName: string): FakeContainer | undefined {
    for (const container of this.containers.values()) {
      if (container.id === idOrName || container.name === idOrName || (idOrName.length >= 4 && container.id.startsWith(idOrName)))
        return container;
    }
    return undefined;
  }

  private get(idOrName: string): FakeContainer {
    const container = this.find(idOrName);
    if (!container) throw new ContainerNotFoundError(idOrName);
    return container;
  }

  async listContainers(options: { all?: boolean; labels?: string[] } = {}): Promise<ContainerSummary[]> {
    this.assertUp();
    const wanted = options.labels ?? [];
    return [...this.containers.values()]
      .filter((container) => options.all !== false || container.state === 'running')
      .filter((container) =>
        wanted.every((label) => {
          const [key = '', value] = label.split('=');
          return value === undefined ? key in container.labels : container.labels[key] === value;
        }),
      )
      .map((container) => ({
        id: container.id,
        names: [`/${container.name}`],
        image: container.image,
        imageId: `sha256:${'0'.repeat(64)}`,
        command: 'sleep 3600',
        created: container.created,
        state: container.state,
        status: container.state === 'running' ? 'Up About a minute' : 'Exited (0) 1 minute ago',
        labels: { ...container.labels },
        ports: container.state === 'running' ? container.ports.map((port) => ({ ...port })) : [],
      }));
  }

  async inspectContainer(id: string): Promise<ContainerDetails | null> {
    this.assertUp();
    const container = this.find(id);
    if (!container) return null;
    return {
      id: container.id,
      name: container.name,
      image: container.image,
      imageId: `sha256:${'0'.repeat(64)}`,
      created: new Date(container.created * 1000).toISOString(),
      isTty: container.isTty,
      labels: { ...container.labels },
      state: {
        status: container.state,
        isRunning: container.state === 'running',
        startedAt: container.startedAt,
        finishedAt: null,
        exitCode: container.exitCode ?? 0,
        health: container.health ?? null,
      },
      restartCount: container.restartCount ?? 0,
      networks: { bridge: { ipAddress: '172.17.0.2' } },
    };
  }

  async startContainer(id: string): Promise<{ changed: boolean }> {
    this.assertUp();
    const container = this.get(id);
    this.actions.push({ action: 'start', id: container.id });
    if (container.state === 'running') return { changed: false };
    container.state = 'running';
    container.startedAt = new Date().toISOString();
    return { changed: true };
  }

  async stopContainer(id: string, options: { timeoutSeconds?: number } = {}): Promise<{ changed: boolean }> {
    this.assertUp();
    const container = this.get(id);
    this.actions.push({ action: 'stop', id: container.id, options });
    if (container.state !== 'running') return { changed: false };
    container.state = 'exited';
    return { changed: true };
  }

  async restartContainer(id: string, options: { timeoutSeconds?: number } = {}): Promise<void> {
    this.assertUp();
    const container = this.get(id);
    this.actions.push({ action: 'restart', id: container.id, options });
    container.state = 'running';
    container.startedAt = new Date().toISOString();
  }

  async removeContainer(id: string, options: { force?: boolean; removeVolumes?: boolean } = {}): Promise<void> {
    this.assertUp();
    const container = this.get(id);
    if (container.state === 'running' && options.force !== true) {
      throw new DockerConflictError(
        id,
        `You cannot remove a running container ${container.id}. Stop the container before attempting removal or force remove`,
      );
    }
    this.actions.push({ action: 'remove', id: container.id, options });
    this.containers.delete(container.id);
  }

  async *streamContainerStats(id: string, signal: AbortSignal): AsyncGenerator<ContainerStatsSample> {
    this.assertUp();
    const container = this.get(id);
    this.openStatsStreams += 1;
    this.statsStreamsOpened += 1;
    let cpuTotalNs = 0;
    let systemCpuNs = 1_000_000_000_000;
    const pause = (ms: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    try {
      if (this.statsFirstSampleDelayMs > 0) await pause(this.statsFirstSampleDelayMs);
      while (!signal.aborted && this.isUp && this.containers.has(container.id)) {
        const isRunning = container.state === 'running';
        cpuTotalNs += isRunning ? container.cpuPerTickNs : 0;
        systemCpuNs += 2 * 1_000_000_000;
        yield {
          readAt: new Date().toISOString(),
          isRunning,
          cpuTotalNs,
          systemCpuNs,
          onlineCpus: 2,
          memoryUsage: container.memoryUsage,
          memoryLimit: 1024 * 1024 * 1024,
          networks: { eth0: { rxBytes: 1000, txBytes: 500 } },
          blockRead: 0,
          blockWrite: 0,
          pids: 2,
        };
        await pause(this.statsIntervalMs);
      }
    } finally {
      this.openStatsStreams -= 1;
    }
  }

  async containerLogs(
    id: string,
    options: { tail: number; sinceSeconds?: number },
  ): Promise<{ isTty: boolean; lines: ContainerLogLine[] }> {
    this.assertUp();
    const container = this.get(id);
    const since = options.sinceSeconds;
    const lines = container.logs.filter(
      (line) => since === undefined || line.timestamp === null || Date.parse(line.timestamp) / 1000 >= since,
    );
    return { isTty: container.isTty, lines: options.tail > 0 ? lines.slice(-options.tail) : [] };
  }

  // Images and networks, for deployments.
  readonly images = new Set<string>();
  readonly pullScripts = new Map<string, FakePull>();
  /** Every image pulled, in order. */
  readonly pulls: string[] = [];
  readonly networks = new Map<string, NetworkSummary>();

  async hasImage(reference: string): Promise<boolean> {
    this.assertUp();
    return this.images.has(reference);
  }

  async pullImage(reference: string, options: { signal?: AbortSignal; onProgress: (message: PullMessage) => void }): Promise<void> {
    this.assertUp();
    this.pulls.push(reference);
    const script = this.pullScripts.get(reference) ?? {};
    if (script.failure) throw new ImagePullError(reference, script.failure);
    for (const message of script.messages ?? FAKE_PULL_MESSAGES) {
      options.signal?.throwIfAborted();
      options.onProgress(message);
      if (script.delayMs) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, script.delayMs);
          options.signal?.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              reject(options.signal?.reason as Error);
            },
            { once: true },
          );
        });
      }
    }
    this.images.add(reference);
  }

  async inspectNetwork(name: string): Promise<NetworkSummary | null> {
    this.assertUp();
    return this.networks.get(name) ?? null;
  }

  async createNetwork(name: string, options: { labels: Record<string, string>; driver?: string }): Promise<NetworkSummary> {
    this.assertUp();
    const network = {
      id: `net${this.networks.size + 1}${'0'.repeat(58)}`,
      name,
      driver: options.driver ?? 'bridge',
      labels: { ...options.labels },
    };
    this.networks.set(name, network);
    this.actions.push({ action: 'network-create', id: name, options });
    return network;
  }

  private assertUp(): void {
    if (!this.isUp) throw new DockerUnavailableError('The Docker daemon did not answer (fake: down)');
  }

  async ping(): Promise<void> {
    this.assertUp();
  }

  async version(): Promise<DockerVersion> {
    this.assertUp();
    return this.versionInfo;
  }
}
