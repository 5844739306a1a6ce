// Turns `:containerId` into a mount container: where its rclone answers and with which credentials.
// Only containers HomelabARR deployed from the catalog qualify: they carry the mount labels, and
// their RC password lives in the stack's .env that the deployment wrote.
import path from 'node:path';
import { AppError } from '../../errors.js';
import type { DockerEngine } from '../../infra/docker/engine.js';
import type { RcloneEndpoint } from '../../infra/rclone-rc.js';
import { APP_ID_LABEL, stackNameFor } from '../stacks/index.js';

/** Present on every mount container; its value names the engine (rclone). */
export const MOUNT_LABEL = 'homelabarr.mount';
/** The port `rclone rcd` listens on inside the container. */
export const MOUNT_RC_PORT_LABEL = 'homelabarr.mount.rc-port';
/** The folder inside the container that holds one mount per provider (bind-mounted :rshared). */
export const MOUNT_PATH_LABEL = 'homelabarr.mount.path';
/** The same folder on the host, for display and for other apps' volumes. */
export const MOUNT_HOST_PATH_LABEL = 'homelabarr.mount.host-path';
/** An RC address on this host's loopback (a port published on 127.0.0.1), tried before the container's own address. */
export const MOUNT_RC_URL_LABEL = 'homelabarr.mount.rc-url';

export const RC_USER_VARIABLE = 'RCLONE_RC_USER';
export const RC_PASS_VARIABLE = 'RCLONE_RC_PASS';
export const DEFAULT_RC_USER = 'homelabarr';
export const DEFAULT_RC_PORT = 5572;
export const DEFAULT_MOUNT_PATH = '/mnt/remotes';

/** Reads the .env of a deployed app (DATA_DIR/stacks/<appId>/.env); null when there is none. */
export interface StackEnvReader {
  readEnv(appId: string): Record<string, string> | null;
}

export type MountContainer = {
  /** Docker's full id. */
  id: string;
  name: string;
  appId: string;
  endpoint: RcloneEndpoint;
  mountPath: string;
  hostMountPath: string | null;
};

// What a stack folder name may be (the label is read from Docker, so it is checked like input).
const APP_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function notAMountContainer(containerId: string): AppError {
  return new AppError(
    'NOT_FOUND',
    'Mount container not found',
    `${containerId} is not a mount container HomelabARR deployed. Deploy the rclone mount app (system-rclone-mount) from the catalog and use its container.`,
  );
}

function isSafePath(value: string | undefined): value is string {
  return value !== undefined && SAFE_PATH.test(value) && !value.split('/').includes('..') && path.posix.isAbsolute(value);
}

/** Only loopback addresses: a label must never send our credentials somewhere else. */
function loopbackUrl(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname) || url.username || url.password) return null;
    return `http://${url.host}`;
  } catch {
    return null;
  }
}

export class MountContainerResolver {
  constructor(
    private readonly docker: Pick<DockerEngine, 'inspectContainer'>,
    private readonly stacks: StackEnvReader,
  ) {}

  async resolve(containerId: string): Promise<MountContainer> {
    const details = await this.docker.inspectContainer(containerId);
    if (!details) throw new AppError('NOT_FOUND', 'Mount container not found', `No container has the id or name ${containerId}`);
    const labels = details.labels;
    const appId = labels[APP_ID_LABEL];
    if (labels[MOUNT_LABEL] === undefined || !appId || !APP_ID.test(appId) || appId.includes('..')) throw notAMountContainer(containerId);
    const env = this.stacks.readEnv(stackNameFor(appId));
    const pass = env?.[RC_PASS_VARIABLE];
    if (!env || !pass) {
      throw new AppError(
        'NOT_FOUND',
        'Mount container not found',
        `${containerId} carries the mount labels, but HomelabARR holds no RC credentials for app ${appId}. Deploy the rclone mount app from the catalog so its credentials are generated and stored.`,
      );
    }
    if (!details.state.isRunning) {
      throw new AppError(
        'RCLONE_UNAVAILABLE',
        'rclone is not running',
        `The mount container ${details.name} is ${details.state.status}; start it and retry.`,
      );
    }
    const port = Number(labels[MOUNT_RC_PORT_LABEL] ?? DEFAULT_RC_PORT);
    const urls: string[] = [];
    const loopback = loopbackUrl(labels[MOUNT_RC_URL_LABEL]);
    if (loopback) urls.push(loopback);
    if (Number.isInteger(port) && port > 0 && port < 65536) {
      for (const network of Object.values(details.networks)) {
        if (network.ipAddress)
          urls.push(`http://${network.ipAddress.includes(':') ? `[${network.ipAddress}]` : network.ipAddress}:${port}`);
      }
    }
    const mountPath = labels[MOUNT_PATH_LABEL] ?? DEFAULT_MOUNT_PATH;
    if (!isSafePath(mountPath)) throw notAMountContainer(containerId);
    const hostMountPath = labels[MOUNT_HOST_PATH_LABEL];
    return {
      id: details.id,
      name: details.name,
      appId,
      endpoint: { urls, user: env[RC_USER_VARIABLE] || DEFAULT_RC_USER, pass },
      mountPath: mountPath.replace(/\/+$/, '') || '/',
      hostMountPath: isSafePath(hostMountPath) ? hostMountPath.replace(/\/+$/, '') : null,
    };
  }
}
