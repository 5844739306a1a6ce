// How the API answers the failures of a mount container's rclone. The RC client throws facts
// (infra/rclone-rc.ts); this is the one place that gives them a wire code, a title and advice.
// createServices hands the mounts services the client through rcloneWithAppErrors.
import { AppError } from '../errors.js';
import {
  RcloneCallError,
  RcloneCredentialsRefusedError,
  RcloneTimeoutError,
  RcloneUnknownMethodError,
  RcloneUnreachableError,
  RcloneUnreadableAnswerError,
  type RcloneClient,
} from '../infra/rclone-rc.js';

function describeTimeout(timeoutMs: number): string {
  return timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
}

/** The AppError for one of the RC client's errors; anything else unchanged. */
export function appErrorFromRclone(error: unknown): unknown {
  if (error instanceof RcloneUnreachableError) {
    return new AppError(
      'RCLONE_UNAVAILABLE',
      'rclone is not reachable',
      `The mount container's rclone did not answer (${error.attempts.join('; ') || 'no address known'}). Check that the container is running and that HomelabARR can reach it.`,
      { cause: error },
    );
  }
  if (error instanceof RcloneTimeoutError) {
    return new AppError(
      'RCLONE_UNAVAILABLE',
      'rclone did not answer in time',
      `rclone did not answer ${error.method} within ${describeTimeout(error.timeoutMs)}; the remote may be slow or unreachable`,
      { cause: error },
    );
  }
  if (error instanceof RcloneCallError) {
    return new AppError(
      'UPSTREAM_FAILED',
      `rclone could not ${error.method}`,
      `rclone answered ${error.method} with: ${error.rcloneMessage}`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof RcloneCredentialsRefusedError) {
    return new AppError(
      'UPSTREAM_FAILED',
      'rclone refused HomelabARR’s credentials',
      'The RC user and password stored for this mount container do not match the running rclone. Redeploy the rclone mount app so both come from the same .env.',
      { cause: error },
    );
  }
  if (error instanceof RcloneUnknownMethodError) {
    return new AppError(
      'UPSTREAM_FAILED',
      'rclone does not support this call',
      `This rclone has no ${error.method}; update the mount container's image`,
      { cause: error },
    );
  }
  if (error instanceof RcloneUnreadableAnswerError) {
    const what =
      error.problem === 'not JSON' ? `HTTP ${error.httpStatus} and a body that is not JSON` : 'something other than a JSON object';
    return new AppError('UPSTREAM_FAILED', 'rclone gave an unreadable answer', `rclone answered ${error.method} with ${what}`, {
      cause: error,
    });
  }
  return error;
}

/**
 * The RC client's error behind an error a mounts service caught: the cause of an AppError the
 * adapter made, else the error itself. For the few places that act on rclone's own message.
 */
export function rcloneFailureOf(error: unknown): unknown {
  return error instanceof AppError && error.cause !== undefined ? error.cause : error;
}

/** The same client, every failure passed through appErrorFromRclone. */
export function rcloneWithAppErrors(client: RcloneClient): RcloneClient {
  return {
    async call(endpoint, method, params, options) {
      try {
        return await client.call(endpoint, method, params, options);
      } catch (error) {
        throw appErrorFromRclone(error);
      }
    },
  };
}
