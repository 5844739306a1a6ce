import { describe, expect, it } from 'vitest';
import { FakeDockerEngine } from '../helpers/fake-docker.js';
import { AppError } from '../../src/server/errors.js';
import {
  ContainerNotFoundError,
  DockerConflictError,
  DockerRequestError,
  DockerUnavailableError,
  ImagePullError,
  NetworkCreateError,
} from '../../src/server/infra/docker/engine.js';
import { appErrorFromDocker, dockerWithAppErrors } from '../../src/server/app-errors/docker.js';

function wireOf(error: unknown): { status: number; code: string; message: string; details: string; cause: unknown } {
  expect(error).toBeInstanceOf(AppError);
  const { status, code, message, details, cause } = error as AppError;
  return { status, code, message, details, cause };
}

describe('appErrorFromDocker', () => {
  it.each([
    {
      error: new DockerUnavailableError('The Docker daemon did not answer (ECONNREFUSED)'),
      wire: {
        status: 503,
        code: 'DOCKER_UNAVAILABLE',
        message: 'Docker is not reachable',
        details:
          'The Docker daemon did not answer (ECONNREFUSED). Start Docker (scripts/setup-host.sh installs and starts Docker Engine and compose v2) and retry; the server reconnects by itself.',
      },
    },
    {
      error: new ContainerNotFoundError('ghost'),
      wire: { status: 404, code: 'NOT_FOUND', message: 'Container not found', details: 'No container has the id or name ghost' },
    },
    {
      error: new DockerConflictError('web', 'container is marked for removal'),
      wire: { status: 409, code: 'CONFLICT', message: 'Docker refused the change', details: 'container is marked for removal' },
    },
    {
      error: new DockerRequestError('web', 500, 'driver failed programming external connectivity'),
      wire: {
        status: 502,
        code: 'UPSTREAM_FAILED',
        message: 'Docker could not do that',
        details: 'driver failed programming external connectivity',
      },
    },
    {
      error: new NetworkCreateError('homelabarr', 'could not find an available, non-overlapping IPv4 address pool'),
      wire: {
        status: 502,
        code: 'UPSTREAM_FAILED',
        message: 'Docker could not create the network homelabarr',
        details: 'could not find an available, non-overlapping IPv4 address pool',
      },
    },
  ])('answers $error.name as $wire.code, keeping the engine’s error as the cause', ({ error, wire }) => {
    expect(wireOf(appErrorFromDocker(error))).toEqual({ ...wire, cause: error });
  });

  it('leaves a pull failure and errors it does not know unchanged', () => {
    const pull = new ImagePullError('org/app:1', 'manifest unknown');
    const unknown = new Error('Docker answered HTTP 500');

    expect(appErrorFromDocker(pull)).toBe(pull);
    expect(appErrorFromDocker(unknown)).toBe(unknown);
  });
});

describe('dockerWithAppErrors', () => {
  it('rejects calls with the AppError and passes answers through', async () => {
    const fake = new FakeDockerEngine();
    fake.addContainer({ id: 'c'.repeat(64), name: 'web' });
    const docker = dockerWithAppErrors(fake);

    expect(await docker.stopContainer('web')).toEqual({ changed: true });
    expect(wireOf(await docker.startContainer('ghost').catch((error: unknown) => error))).toMatchObject({
      code: 'NOT_FOUND',
      details: 'No container has the id or name ghost',
    });
  });

  it('maps a failing stats stream too', async () => {
    const fake = new FakeDockerEngine();
    fake.isUp = false;
    const iterate = async (): Promise<unknown> => {
      for await (const sample of dockerWithAppErrors(fake).streamContainerStats('web', new AbortController().signal)) return sample;
      return null;
    };

    expect(wireOf(await iterate().catch((error: unknown) => error))).toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
  });

  it('reads the outage count of the engine it wraps at each call', async () => {
    const counting = Object.assign(new FakeDockerEngine(), { outageCount: 0 });
    const docker = dockerWithAppErrors(counting);

    counting.outageCount = 2;

    expect(docker.outageCount).toBe(2);
  });
});
