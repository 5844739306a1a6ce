// Unit: which addresses and credentials a mount container resolves to, from its labels and stack .env.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/errors.js';
import { MountContainerResolver } from '../../src/server/modules/mounts/mount-container-resolver.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';

const stacks = { readEnv: (appId: string) => (appId === 'system-rclone-mount' ? { RCLONE_RC_PASS: 'stored-pass' } : null) };
const labels = { 'homelabarr.app-id': 'system-rclone-mount', 'homelabarr.mount': 'rclone' };

function resolverWith(containerLabels: Record<string, string>): MountContainerResolver {
  const docker = new FakeDockerEngine();
  docker.addContainer({ id: 'f'.repeat(64), name: 'mount', labels: containerLabels });
  return new MountContainerResolver(docker, stacks);
}

describe('MountContainerResolver', () => {
  it('uses the container’s address on its networks with the default RC port, user and paths', async () => {
    expect(await resolverWith(labels).resolve('mount')).toEqual({
      id: 'f'.repeat(64),
      name: 'mount',
      appId: 'system-rclone-mount',
      endpoint: { urls: ['http://172.17.0.2:5572'], user: 'homelabarr', pass: 'stored-pass' },
      mountPath: '/mnt/remotes',
      hostMountPath: null,
    });
  });

  it('tries a loopback rc-url first, then the container address on the labelled port', async () => {
    const container = await resolverWith({
      ...labels,
      'homelabarr.mount.rc-url': 'http://127.0.0.1:15572/',
      'homelabarr.mount.rc-port': '6000',
      'homelabarr.mount.path': '/mnt/cloud/',
      'homelabarr.mount.host-path': '/srv/media/remotes',
    }).resolve('mount');
    expect(container.endpoint.urls).toEqual(['http://127.0.0.1:15572', 'http://172.17.0.2:6000']);
    expect(container.mountPath).toBe('/mnt/cloud');
    expect(container.hostMountPath).toBe('/srv/media/remotes');
  });

  it('ignores an rc-url that is not on loopback, so a label cannot send the password elsewhere', async () => {
    const container = await resolverWith({ ...labels, 'homelabarr.mount.rc-url': 'http://attacker.example:80' }).resolve('mount');
    expect(container.endpoint.urls).toEqual(['http://172.17.0.2:5572']);
  });

  it('is a 404 for a mount path that could escape', async () => {
    const error = await resolverWith({ ...labels, 'homelabarr.mount.path': '/mnt/../etc' })
      .resolve('mount')
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(AppError);
    const { status, code, message, details } = error as AppError;
    expect({ status, code, message, details }).toEqual({
      status: 404,
      code: 'NOT_FOUND',
      message: 'Mount container not found',
      details:
        'mount is not a mount container HomelabARR deployed. Deploy the rclone mount app (system-rclone-mount) from the catalog and use its container.',
    });
  });
});
