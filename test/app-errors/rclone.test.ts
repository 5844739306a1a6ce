import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/errors.js';
import {
  RcloneCallError,
  RcloneCredentialsRefusedError,
  RcloneTimeoutError,
  RcloneUnknownMethodError,
  RcloneUnreachableError,
  RcloneUnreadableAnswerError,
  type RcloneClient,
} from '../../src/server/infra/rclone-rc.js';
import { appErrorFromRclone, rcloneFailureOf, rcloneWithAppErrors } from '../../src/server/app-errors/rclone.js';

function wireOf(error: unknown): { status: number; code: string; message: string; details: string; cause: unknown } {
  expect(error).toBeInstanceOf(AppError);
  const { status, code, message, details, cause } = error as AppError;
  return { status, code, message, details, cause };
}

describe('appErrorFromRclone', () => {
  it.each([
    {
      error: new RcloneUnreachableError(['127.0.0.1:15572: ECONNREFUSED', '172.18.0.5:5572: EHOSTUNREACH']),
      wire: {
        status: 503,
        code: 'RCLONE_UNAVAILABLE',
        message: 'rclone is not reachable',
        details:
          "The mount container's rclone did not answer (127.0.0.1:15572: ECONNREFUSED; 172.18.0.5:5572: EHOSTUNREACH). Check that the container is running and that HomelabARR can reach it.",
      },
    },
    {
      error: new RcloneUnreachableError([]),
      wire: {
        status: 503,
        code: 'RCLONE_UNAVAILABLE',
        message: 'rclone is not reachable',
        details:
          "The mount container's rclone did not answer (no address known). Check that the container is running and that HomelabARR can reach it.",
      },
    },
    {
      error: new RcloneTimeoutError('core/stats', 300),
      wire: {
        status: 503,
        code: 'RCLONE_UNAVAILABLE',
        message: 'rclone did not answer in time',
        details: 'rclone did not answer core/stats within 300 ms; the remote may be slow or unreachable',
      },
    },
    {
      error: new RcloneTimeoutError('operations/list', 15_000),
      wire: {
        status: 503,
        code: 'RCLONE_UNAVAILABLE',
        message: 'rclone did not answer in time',
        details: 'rclone did not answer operations/list within 15 s; the remote may be slow or unreachable',
      },
    },
    {
      error: new RcloneCallError('config/create', 500, 'couldn\'t find backend for type "x"'),
      wire: {
        status: 502,
        code: 'UPSTREAM_FAILED',
        message: 'rclone could not config/create',
        details: 'rclone answered config/create with: couldn\'t find backend for type "x"',
      },
    },
    {
      error: new RcloneCredentialsRefusedError('core/version', 401),
      wire: {
        status: 502,
        code: 'UPSTREAM_FAILED',
        message: 'rclone refused HomelabARR’s credentials',
        details:
          'The RC user and password stored for this mount container do not match the running rclone. Redeploy the rclone mount app so both come from the same .env.',
      },
    },
    {
      error: new RcloneUnknownMethodError('vfs/stats'),
      wire: {
        status: 502,
        code: 'UPSTREAM_FAILED',
        message: 'rclone does not support this call',
        details: "This rclone has no vfs/stats; update the mount container's image",
      },
    },
    {
      error: new RcloneUnreadableAnswerError('core/stats', 200, 'not JSON'),
      wire: {
        status: 502,
        code: 'UPSTREAM_FAILED',
        message: 'rclone gave an unreadable answer',
        details: 'rclone answered core/stats with HTTP 200 and a body that is not JSON',
      },
    },
    {
      error: new RcloneUnreadableAnswerError('core/stats', 200, 'not a JSON object'),
      wire: {
        status: 502,
        code: 'UPSTREAM_FAILED',
        message: 'rclone gave an unreadable answer',
        details: 'rclone answered core/stats with something other than a JSON object',
      },
    },
  ])('answers $error.name as $wire.code, keeping the client’s error as the cause', ({ error, wire }) => {
    expect(wireOf(appErrorFromRclone(error))).toEqual({ ...wire, cause: error });
  });

  it('leaves errors it does not know unchanged', () => {
    const unknown = new Error('Not an rclone RC method: ../x');
    expect(appErrorFromRclone(unknown)).toBe(unknown);
  });
});

describe('rcloneWithAppErrors', () => {
  const endpoint = { urls: ['http://127.0.0.1:1'], user: 'u', pass: 'p' };

  it('rejects a call with the AppError, whose cause rcloneFailureOf hands back', async () => {
    const refusal = new RcloneCallError('mount/mount', 500, 'mountpoint is not empty');
    const failing: RcloneClient = { call: () => Promise.reject(refusal) };

    const error = await rcloneWithAppErrors(failing)
      .call(endpoint, 'mount/mount')
      .catch((failure: unknown) => failure);

    expect(wireOf(error)).toMatchObject({ code: 'UPSTREAM_FAILED', details: 'rclone answered mount/mount with: mountpoint is not empty' });
    expect(rcloneFailureOf(error)).toBe(refusal);
  });

  it('passes answers through', async () => {
    const answering: RcloneClient = { call: <T>() => Promise.resolve({ version: 'v1.68.0' } as T) };

    expect(await rcloneWithAppErrors(answering).call(endpoint, 'core/version')).toEqual({ version: 'v1.68.0' });
  });
});
