// The Docker Engine API, in the project's vocabulary. Only this file imports dockerode.
import Docker from 'dockerode';
import { DockerUnavailableError } from '../errors.js';

export type DockerVersion = { version: string; apiVersion: string; os: string; arch: string; kernelVersion: string };

export interface DockerEngine {
  /** Resolves when the daemon answers /_ping; throws DockerUnavailableError otherwise. */
  ping(): Promise<void>;
  version(): Promise<DockerVersion>;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** True for errors that mean "the daemon is not there", as opposed to Docker answering with an error. */
export function isDaemonUnreachable(error: unknown): boolean {
  const err = error as { code?: string; message?: string; statusCode?: number };
  if (err.code && UNREACHABLE_CODES.has(err.code)) return true;
  return typeof err.message === 'string' && /socket hang up|connect ECONNREFUSED|connect ENOENT|timeout/i.test(err.message) && !err.statusCode;
}

/** Rethrows daemon-unreachable errors as DockerUnavailableError; other errors unchanged. */
export function translateDockerError(error: unknown): never {
  if (isDaemonUnreachable(error)) {
    const err = error as { code?: string; message?: string };
    throw new DockerUnavailableError(`The Docker daemon did not answer (${err.code ?? err.message ?? 'unknown error'})`);
  }
  throw error;
}

export function dockerOptionsFromHost(dockerHost: string): Docker.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length), timeout: 30_000 };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port), protocol: 'http', timeout: 30_000 };
}

export class DockerodeEngine implements DockerEngine {
  readonly client: Docker;

  constructor(readonly dockerHost: string) {
    this.client = new Docker(dockerOptionsFromHost(dockerHost));
  }

  async ping(): Promise<void> {
    try {
      await (this.client.ping({ abortSignal: AbortSignal.timeout(3000) } as never) as unknown as Promise<unknown>);
    } catch (error) {
      if (isDaemonUnreachable(error) || (error as Error).name === 'AbortError') {
        throw new DockerUnavailableError(`The Docker daemon at ${this.dockerHost} did not answer`);
      }
      throw error;
    }
  }

  async version(): Promise<DockerVersion> {
    try {
      const info = await this.client.version();
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
}
