// The Docker Engine API, in the project's vocabulary. The calls go over plain HTTP (transport.ts);
// this file names them and maps Docker's answers onto the engine's errors.
import type { Readable } from 'node:stream';
import { toContainerDetails, toContainerSummary, type EngineContainerInspect, type EngineContainerRow } from './container-rows.js';
import {
  ContainerNotFoundError,
  DockerConflictError,
  DockerRequestError,
  DockerUnavailableError,
  ImagePullError,
  NetworkCreateError,
  type ContainerDetails,
  type ContainerLogLine,
  type ContainerStatsSample,
  type ContainerSummary,
  type DockerEngine,
  type DockerVersion,
  type NetworkSummary,
  type PullMessage,
} from './engine.js';
import { parseContainerLogs } from './log-demux.js';
import { parseStatsSample } from './stats-sample.js';
import { DockerApiTransport, DockerConnectTimeoutError, type DockerEndpoint } from './transport.js';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** True for errors that mean "the daemon is not there", as opposed to Docker answering with an error. */
function isDaemonUnreachable(error: unknown): boolean {
  const err = error as { code?: string; message?: string; statusCode?: number };
  if (err.code && UNREACHABLE_CODES.has(err.code)) return true;
  return (
    typeof err.message === 'string' && /socket hang up|connect ECONNREFUSED|connect ENOENT|timeout/i.test(err.message) && !err.statusCode
  );
}

/** Rethrows daemon-unreachable errors as DockerUnavailableError; other errors unchanged. */
function translateDockerError(error: unknown): never {
  if (error instanceof DockerConnectTimeoutError) throw new DockerUnavailableError(error.message, { cause: error });
  if (isDaemonUnreachable(error)) {
    const err = error as { code?: string; message?: string };
    throw new DockerUnavailableError(`The Docker daemon did not answer (${err.code ?? err.message ?? 'unknown error'})`, { cause: error });
  }
  throw error;
}

function dockerEndpointFromHost(dockerHost: string): DockerEndpoint {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port) };
}

const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

/** The non-empty lines of a stream of Docker's newline-delimited JSON; an unterminated last line is dropped. */
async function* jsonLines(readable: Readable): AsyncGenerator<string> {
  readable.setEncoding('utf8');
  let pending = '';
  for await (const chunk of readable) {
    pending += chunk as string;
    for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n')) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield line;
    }
  }
}

/** Docker's reason: DockerApiError carries the `message` of Docker's JSON error body. */
function dockerMessage(error: unknown): string {
  return (error as { message?: string }).message || 'Docker gave no reason';
}

/** Maps Docker's answers about one container onto the engine's errors. */
function translateContainerError(error: unknown, id: string): never {
  const status = statusOf(error);
  if (status === 404) throw new ContainerNotFoundError(id, { cause: error });
  if (status === 409) throw new DockerConflictError(id, dockerMessage(error), { cause: error });
  if (status !== undefined && status >= 400) throw new DockerRequestError(id, status, dockerMessage(error), { cause: error });
  if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') {
    throw new DockerUnavailableError('The Docker daemon did not finish the request in time', { cause: error });
  }
  return translateDockerError(error);
}

// A whole logs body is held in memory to split it into lines; this caps one answer.
const MAX_LOG_BYTES = 16 * 1024 * 1024;
// Ordinary calls answer within seconds; a socket silent for this long means the daemon is stuck.
const DEFAULT_TIMEOUT_MS = 30_000;
const PING_TIMEOUT_MS = 3_000;
// Stop and restart wait up to their grace period before Docker answers; the deadline adds headroom.
const DEFAULT_STOP_SECONDS = 10;
const STOP_HEADROOM_MS = 60_000;

type EngineVersion = { Version: string; ApiVersion: string; Os: string; Arch: string; KernelVersion?: string };

type EngineNetwork = { Id: string; Name: string; Driver: string; Labels?: Record<string, string> | null };

const containerPath = (id: string, rest = ''): string => `/containers/${encodeURIComponent(id)}${rest}`;

/**
 * fromImage and tag for POST /images/create. Docker pulls every tag of a name given without one,
 * so a bare name gets `latest`, as `docker pull` does. A colon followed by a slash belongs to a
 * registry port; a digest (`@sha256:…`) goes in `tag`, which Docker accepts.
 */
function splitImageReference(reference: string): { fromImage: string; tag: string } {
  const digestAt = reference.indexOf('@');
  const separator = digestAt >= 0 ? digestAt : reference.lastIndexOf(':');
  if (separator < 0) return { fromImage: reference, tag: 'latest' };
  const tag = reference.slice(separator + 1);
  if (tag.includes('/')) return { fromImage: reference, tag: 'latest' };
  return { fromImage: reference.slice(0, separator), tag };
}

export class EngineApiClient implements DockerEngine {
  private readonly api: DockerApiTransport;

  get outageCount(): number {
    return this.api.unreachableCount;
  }

  /** timeoutMs: how long an ordinary call may leave the socket silent; connectTimeoutMs: how long a connection may take (tests shorten both). */
  constructor(
    readonly dockerHost: string,
    options: { timeoutMs?: number; connectTimeoutMs?: number } = {},
  ) {
    this.api = new DockerApiTransport(
      dockerEndpointFromHost(dockerHost),
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      options.connectTimeoutMs,
    );
  }

  async ping(): Promise<void> {
    try {
      await this.api.send({ method: 'GET', path: '/_ping', signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
    } catch (error) {
      if (isDaemonUnreachable(error) || (error as Error).name === 'AbortError') {
        throw new DockerUnavailableError(`The Docker daemon at ${this.dockerHost} did not answer`, { cause: error });
      }
      throw error;
    }
  }

  async version(): Promise<DockerVersion> {
    try {
      const info = await this.api.json<EngineVersion>({ method: 'GET', path: '/version' });
      return {
        version: info.Version,
        apiVersion: info.ApiVersion,
        os: info.Os,
        arch: info.Arch,
        kernelVersion: info.KernelVersion ?? '',
      };
    } catch (error) {
      return translateDockerError(error);
    }
  }

  async listContainers(options: { all?: boolean; labels?: string[] } = {}): Promise<ContainerSummary[]> {
    const query = new URLSearchParams({ all: options.all === false ? '0' : '1' });
    const labels = options.labels ?? [];
    // Docker reads filters as JSON inside the query string.
    if (labels.length > 0) query.set('filters', JSON.stringify({ label: labels }));
    try {
      const rows = await this.api.json<EngineContainerRow[]>({ method: 'GET', path: `/containers/json?${query.toString()}` });
      return rows.map(toContainerSummary);
    } catch (error) {
      return translateDockerError(error);
    }
  }

  async inspectContainer(id: string): Promise<ContainerDetails | null> {
    try {
      return toContainerDetails(await this.api.json<EngineContainerInspect>({ method: 'GET', path: containerPath(id, '/json') }));
    } catch (error) {
      if (statusOf(error) === 404) return null;
      return translateDockerError(error);
    }
  }

  async startContainer(id: string): Promise<{ changed: boolean }> {
    try {
      await this.api.send({ method: 'POST', path: containerPath(id, '/start') });
      return { changed: true };
    } catch (error) {
      if (statusOf(error) === 304) return { changed: false };
      return translateContainerError(error, id);
    }
  }

  // Stop, restart and removal are patient calls: Docker answers a stop only after the grace
  // period, so a socket timeout would cut it off; each carries its own deadline instead.
  async stopContainer(id: string, options: { timeoutSeconds?: number } = {}): Promise<{ changed: boolean }> {
    const seconds = options.timeoutSeconds ?? DEFAULT_STOP_SECONDS;
    try {
      await this.stopOrRestart(id, 'stop', seconds);
      return { changed: true };
    } catch (error) {
      if (statusOf(error) === 304) return { changed: false };
      return translateContainerError(error, id);
    }
  }

  async restartContainer(id: string, options: { timeoutSeconds?: number } = {}): Promise<void> {
    const seconds = options.timeoutSeconds ?? DEFAULT_STOP_SECONDS;
    try {
      await this.stopOrRestart(id, 'restart', seconds);
    } catch (error) {
      return translateContainerError(error, id);
    }
  }

  /** POST …/stop or …/restart with Docker's grace period `t`, bounded by that period plus headroom. */
  private stopOrRestart(id: string, action: 'stop' | 'restart', seconds: number): Promise<void> {
    return this.api.send({
      method: 'POST',
      path: containerPath(id, `/${action}?t=${seconds}`),
      isPatient: true,
      signal: AbortSignal.timeout(seconds * 1000 + STOP_HEADROOM_MS),
    });
  }

  async removeContainer(id: string, options: { force?: boolean; removeVolumes?: boolean } = {}): Promise<void> {
    const query = new URLSearchParams({ force: options.force === true ? '1' : '0', v: options.removeVolumes === true ? '1' : '0' });
    try {
      await this.api.send({
        method: 'DELETE',
        path: containerPath(id, `?${query.toString()}`),
        isPatient: true,
        signal: AbortSignal.timeout(STOP_HEADROOM_MS),
      });
    } catch (error) {
      return translateContainerError(error, id);
    }
  }

  async *streamContainerStats(id: string, signal: AbortSignal): AsyncGenerator<ContainerStatsSample> {
    let readable: Readable;
    try {
      readable = await this.api.open({ method: 'GET', path: containerPath(id, '/stats?stream=1'), signal });
    } catch (error) {
      if (signal.aborted) return;
      return translateContainerError(error, id);
    }
    try {
      for await (const line of jsonLines(readable)) yield parseStatsSample(JSON.parse(line));
    } catch (error) {
      if (signal.aborted) return;
      return translateDockerError(error);
    } finally {
      readable.destroy();
    }
  }

  async containerLogs(
    id: string,
    options: { tail: number; sinceSeconds?: number },
  ): Promise<{ isTty: boolean; lines: ContainerLogLine[] }> {
    const details = await this.inspectContainer(id);
    if (!details) throw new ContainerNotFoundError(id);
    const query = new URLSearchParams({ stdout: '1', stderr: '1', timestamps: '1', tail: String(options.tail) });
    if (options.sinceSeconds !== undefined) query.set('since', String(options.sinceSeconds));
    let body: Buffer;
    try {
      // Raw bytes, never JSON-parsed: a TTY log line may itself be JSON.
      body = await this.api.bytes({ method: 'GET', path: containerPath(details.id, `/logs?${query.toString()}`) }, MAX_LOG_BYTES);
    } catch (error) {
      return translateContainerError(error, id);
    }
    return { isTty: details.isTty, lines: parseContainerLogs(body, { isTty: details.isTty, hasTimestamps: true }) };
  }

  async hasImage(reference: string): Promise<boolean> {
    try {
      await this.api.send({ method: 'GET', path: `/images/${encodeURIComponent(reference)}/json` });
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      return translateDockerError(error);
    }
  }

  async pullImage(reference: string, options: { signal?: AbortSignal; onProgress: (message: PullMessage) => void }): Promise<void> {
    let stream: Readable;
    try {
      // A pull runs as long as the image needs: a socket timeout would cut big images off.
      stream = await this.api.open({
        method: 'POST',
        path: `/images/create?${new URLSearchParams(splitImageReference(reference)).toString()}`,
        isPatient: true,
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const status = statusOf(error);
      if (status !== undefined && status >= 400) throw new ImagePullError(reference, dockerMessage(error), { cause: error });
      return translateDockerError(error);
    }
    try {
      // A failure arrives as a message with `error`, not as a status code.
      for await (const line of jsonLines(stream)) {
        const message = JSON.parse(line) as PullMessage & { error?: string; errorDetail?: { message?: string } };
        if (message.error || message.errorDetail)
          throw new ImagePullError(reference, message.errorDetail?.message ?? message.error ?? 'unknown error');
        options.onProgress(message);
      }
    } catch (error) {
      if (error instanceof ImagePullError || options.signal?.aborted) throw error;
      return translateDockerError(error);
    } finally {
      stream.destroy();
    }
  }

  async inspectNetwork(name: string): Promise<NetworkSummary | null> {
    try {
      const info = await this.api.json<EngineNetwork>({ method: 'GET', path: `/networks/${encodeURIComponent(name)}` });
      return { id: info.Id, name: info.Name, driver: info.Driver, labels: info.Labels ?? {} };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      return translateDockerError(error);
    }
  }

  async createNetwork(name: string, options: { labels: Record<string, string>; driver?: string }): Promise<NetworkSummary> {
    try {
      await this.api.send({
        method: 'POST',
        path: '/networks/create',
        body: { Name: name, Driver: options.driver ?? 'bridge', Labels: options.labels, CheckDuplicate: true },
      });
    } catch (error) {
      // Another deploy created it a moment ago: that is the outcome we wanted.
      if (statusOf(error) !== 409) {
        const status = statusOf(error);
        if (status !== undefined && status >= 400) throw new NetworkCreateError(name, dockerMessage(error), { cause: error });
        return translateDockerError(error);
      }
    }
    const network = await this.inspectNetwork(name);
    if (!network) throw new NetworkCreateError(name, 'The network was not there after it was created');
    return network;
  }
}
