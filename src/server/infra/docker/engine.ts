// The Docker Engine as the services see it: the calls they make, the shapes they get back and the
// errors it throws, in the project's vocabulary (a missing container is null or
// ContainerNotFoundError, a dead daemon DockerUnavailableError). EngineApiClient implements it.
// The errors carry facts only: the service layer decides how the API answers them.
import type { ContainerLogLine } from './log-demux.js';
import type { ContainerStatsSample } from './stats-sample.js';

export type DockerVersion = { version: string; apiVersion: string; os: string; arch: string; kernelVersion: string };

/** A published or exposed port of a container, as Docker lists it (one entry per port and address). */
export type ContainerPort = { privatePort: number; publicPort: number | null; type: string; ip: string | null };

/** One row of GET /containers/json (`docker ps -a`). */
export type ContainerSummary = {
  id: string;
  /** As Docker writes them, with the leading slash. */
  names: string[];
  image: string;
  imageId: string;
  command: string;
  /** Unix seconds. */
  created: number;
  /** running, exited, created, paused, restarting, removing or dead. */
  state: string;
  /** Docker's human status, e.g. "Up 3 days". */
  status: string;
  labels: Record<string, string>;
  ports: ContainerPort[];
};

/** What the project reads from GET /containers/{id}/json. */
export type ContainerDetails = {
  id: string;
  /** Without the leading slash. */
  name: string;
  image: string;
  imageId: string;
  created: string;
  isTty: boolean;
  labels: Record<string, string>;
  state: {
    status: string;
    isRunning: boolean;
    /** null when the container never started. */
    startedAt: string | null;
    finishedAt: string | null;
    exitCode: number;
    /** starting, healthy, unhealthy; null without a healthcheck. */
    health: string | null;
  };
  restartCount: number;
  networks: Record<string, { ipAddress: string }>;
};

export type { ContainerStatsSample } from './stats-sample.js';
export type { ContainerLogLine, LogStream } from './log-demux.js';

export interface DockerEngine {
  /**
   * How many times a call found the daemon unreachable so far. A cached "Docker is up" taken before
   * the count last changed is stale (health checks compare it). Engines that cannot tell leave it out.
   */
  readonly outageCount?: number;
  /** Resolves when the daemon answers /_ping; throws DockerUnavailableError otherwise. */
  ping(): Promise<void>;
  version(): Promise<DockerVersion>;
  /** `docker ps -a` (all: true is the default), optionally only containers carrying every given label (`key` or `key=value`). */
  listContainers(options?: { all?: boolean; labels?: string[] }): Promise<ContainerSummary[]>;
  /** null when no container has that id or name. */
  inspectContainer(id: string): Promise<ContainerDetails | null>;
  /** changed is false when the container was already running (Docker's 304). Missing → ContainerNotFoundError. */
  startContainer(id: string): Promise<{ changed: boolean }>;
  /** changed is false when the container was already stopped. timeoutSeconds: grace period before SIGKILL. */
  stopContainer(id: string, options?: { timeoutSeconds?: number }): Promise<{ changed: boolean }>;
  restartContainer(id: string, options?: { timeoutSeconds?: number }): Promise<void>;
  /** Docker's 409 (running without force, removal in progress) → DockerConflictError. */
  removeContainer(id: string, options?: { force?: boolean; removeVolumes?: boolean }): Promise<void>;
  /**
   * Docker's stats stream: one sample about every second until `signal` aborts (the iteration then
   * just ends) or the container is removed. Stopped containers yield samples with isRunning false.
   */
  streamContainerStats(id: string, signal: AbortSignal): AsyncIterable<ContainerStatsSample>;
  /** The last `tail` lines (since `sinceSeconds`, Unix), demultiplexed, each with Docker's timestamp. */
  containerLogs(id: string, options: { tail: number; sinceSeconds?: number }): Promise<{ isTty: boolean; lines: ContainerLogLine[] }>;
  /** Whether the image (name:tag or digest reference) is present locally. */
  hasImage(reference: string): Promise<boolean>;
  /**
   * Pulls an image, reporting Docker's progress messages as they arrive. Rejects with ImagePullError
   * when the registry refuses (unknown image, no access, unreachable); aborting `signal` stops the pull.
   */
  pullImage(reference: string, options: { signal?: AbortSignal; onProgress: (message: PullMessage) => void }): Promise<void>;
  /** null when no network has that name or id. */
  inspectNetwork(name: string): Promise<NetworkSummary | null>;
  /** Docker refusing, or the network missing right after, → NetworkCreateError. Already there (a race) is success. */
  createNetwork(name: string, options: { labels: Record<string, string>; driver?: string }): Promise<NetworkSummary>;
}

/** One progress message of an image pull, as Docker streams it (one per layer change). */
export type PullMessage = { status: string; id?: string; progressDetail?: { current?: number; total?: number } };

export type NetworkSummary = { id: string; name: string; driver: string; labels: Record<string, string> };

/** The registry refused or could not be reached during a pull; the message is Docker's reason. */
export class ImagePullError extends Error {
  constructor(
    readonly reference: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${reference} could not be pulled: ${reason}`, options);
    this.name = 'ImagePullError';
  }
}

/** The daemon could not be reached (no socket, refused, reset, silent, or the connection did not open in time). */
export class DockerUnavailableError extends Error {
  constructor(
    /** What happened, e.g. "The Docker daemon did not answer (ECONNREFUSED)". */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
    this.name = 'DockerUnavailableError';
  }
}

/** A container id or name Docker does not know. */
export class ContainerNotFoundError extends Error {
  constructor(
    readonly containerId: string,
    options?: ErrorOptions,
  ) {
    super(`No container has the id or name ${containerId}`, options);
    this.name = 'ContainerNotFoundError';
  }
}

/** Docker refused a change because of the container's state (409: running without force, removal in progress). */
export class DockerConflictError extends Error {
  constructor(
    readonly containerId: string,
    /** Docker's own words. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
    this.name = 'DockerConflictError';
  }
}

/** Docker answered a container call with another error status (400, 500, …). */
export class DockerRequestError extends Error {
  constructor(
    readonly containerId: string,
    readonly status: number,
    /** Docker's own words. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
    this.name = 'DockerRequestError';
  }
}

/** A network could not be created: Docker refused, or it was not there right after. */
export class NetworkCreateError extends Error {
  constructor(
    readonly network: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${network} could not be created: ${reason}`, options);
    this.name = 'NetworkCreateError';
  }
}
