import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../../src/server/infra/docker/engine.js';
import { describePortConflict, findPortConflicts } from '../../src/server/modules/deployments/port-conflicts.js';

function container(name: string, project: string | null, publicPort: number, state = 'running'): ContainerSummary {
  return {
    id: `${name}000000000000`,
    names: [`/${name}`],
    image: 'x:1',
    imageId: 'sha256:0',
    command: '',
    created: 0,
    state,
    status: '',
    labels: project ? { 'com.docker.compose.project': project, 'homelabarr.app-id': project.replace(/^hlr-/, '') } : {},
    ports: [{ privatePort: 80, publicPort, type: 'tcp', ip: '0.0.0.0' }],
  };
}

const want = (hostPort: number, protocol: 'tcp' | 'udp' = 'tcp') => ({ service: 'web', containerPort: 80, hostPort, protocol });

describe('findPortConflicts', () => {
  it('reports a port another running container publishes, with its app', () => {
    const conflicts = findPortConflicts([want(8080)], [container('plex', 'hlr-mediaserver-plex', 8080)], [], 'hlr-sonarr');
    expect(conflicts).toEqual([
      { port: 8080, protocol: 'tcp', service: 'web', source: 'docker', holder: 'plex', appId: 'mediaserver-plex' },
    ]);
    expect(describePortConflict(conflicts[0]!)).toBe(
      'Port 8080/tcp (service web) is already published by container plex of app mediaserver-plex',
    );
  });

  it('reports a port a host program listens on', () => {
    const conflicts = findPortConflicts([want(8080)], [], [{ protocol: 'tcp', family: 6, address: '::', port: 8080 }], 'hlr-sonarr');
    expect(describePortConflict(conflicts[0]!)).toBe(
      'Port 8080/tcp (service web) is already in use by a program on the host listening on [::]:8080',
    );
  });

  it("ignores the app's own containers and Docker's proxy socket for them", () => {
    const conflicts = findPortConflicts(
      [want(8080)],
      [container('sonarr', 'hlr-sonarr', 8080)],
      [{ protocol: 'tcp', family: 4, address: '0.0.0.0', port: 8080 }],
      'hlr-sonarr',
    );
    expect(conflicts).toEqual([]);
  });

  it('ignores stopped containers, other protocols and unpublished ports', () => {
    const conflicts = findPortConflicts(
      [want(8080, 'udp'), { service: 'web', containerPort: 81, hostPort: null, protocol: 'tcp' }],
      [container('old', null, 8080, 'exited'), container('tcp-only', null, 8080)],
      [],
      'hlr-sonarr',
    );
    expect(conflicts).toEqual([]);
  });
});
