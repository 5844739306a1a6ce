// How the API answers Docker's failures. The engine throws facts (infra/docker/engine.ts); this is
// the one place that gives them a wire code, a title and advice. createServices hands the services
// the engine through dockerWithAppErrors, so they see these AppErrors, each with the engine's error
// as its cause, and no Docker failure reaches the error handler as an unexplained 500.
import { AppError } from '../errors.js';
import {
  ContainerNotFoundError,
  DockerConflictError,
  DockerRequestError,
  DockerUnavailableError,
  NetworkCreateError,
  type DockerEngine,
} from '../infra/docker/engine.js';

const START_DOCKER =
  'Start Docker (scripts/setup-host.sh installs and starts Docker Engine and compose v2) and retry; the server reconnects by itself.';

export function containerNotFound(containerId: string, cause?: unknown): AppError {
  return new AppError('NOT_FOUND', 'Container not found', `No container has the id or name ${containerId}`, { cause });
}

/**
 * The AppError for one of the engine's errors; anything else unchanged. An ImagePullError stays as
 * it is: the deploy runner turns it into the pull step's reason. Docker's other answers (a 500 to a
 * listing, a body that is not JSON) were never expected and stay 500s.
 */
export function appErrorFromDocker(error: unknown): unknown {
  if (error instanceof DockerUnavailableError) {
    return new AppError('DOCKER_UNAVAILABLE', 'Docker is not reachable', `${error.reason}. ${START_DOCKER}`, { cause: error });
  }
  if (error instanceof ContainerNotFoundError) return containerNotFound(error.containerId, error);
  if (error instanceof DockerConflictError) return new AppError('CONFLICT', 'Docker refused the change', error.reason, { cause: error });
  if (error instanceof DockerRequestError)
    return new AppError('UPSTREAM_FAILED', 'Docker could not do that', error.reason, { cause: error });
  if (error instanceof NetworkCreateError) {
    return new AppError('UPSTREAM_FAILED', `Docker could not create the network ${error.network}`, error.reason, { cause: error });
  }
  return error;
}

/** Whether a service-side error means the daemon was not there (the deploy runner words that differently). */
export function isDockerUnavailable(error: unknown): boolean {
  return error instanceof AppError && error.code === 'DOCKER_UNAVAILABLE';
}

async function mapFailure<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw appErrorFromDocker(error);
  }
}

/** The same engine, every failure passed through appErrorFromDocker. */
export function dockerWithAppErrors(engine: DockerEngine): DockerEngine {
  return {
    get outageCount() {
      return engine.outageCount;
    },
    ping: () => mapFailure(() => engine.ping()),
    version: () => mapFailure(() => engine.version()),
    listContainers: (options) => mapFailure(() => engine.listContainers(options)),
    inspectContainer: (id) => mapFailure(() => engine.inspectContainer(id)),
    startContainer: (id) => mapFailure(() => engine.startContainer(id)),
    stopContainer: (id, options) => mapFailure(() => engine.stopContainer(id, options)),
    restartContainer: (id, options) => mapFailure(() => engine.restartContainer(id, options)),
    removeContainer: (id, options) => mapFailure(() => engine.removeContainer(id, options)),
    async *streamContainerStats(id, signal) {
      try {
        yield* engine.streamContainerStats(id, signal);
      } catch (error) {
        throw appErrorFromDocker(error);
      }
    },
    containerLogs: (id, options) => mapFailure(() => engine.containerLogs(id, options)),
    hasImage: (reference) => mapFailure(() => engine.hasImage(reference)),
    pullImage: (reference, options) => mapFailure(() => engine.pullImage(reference, options)),
    inspectNetwork: (name) => mapFailure(() => engine.inspectNetwork(name)),
    createNetwork: (name, options) => mapFailure(() => engine.createNetwork(name, options)),
  };
}
