// Which of the host ports an app wants are taken, and by whom: another container publishing it,
// or a program listening on the host. The app's own containers never count (a redeploy keeps its ports).
import type { PublishedPort } from '../../../contracts/deployments.js';
import type { ContainerSummary } from '../../infra/docker/engine.js';
import type { ListeningSocket } from '../../infra/host-ports.js';
import { APP_ID_LABEL, COMPOSE_PROJECT_LABEL } from '../stacks/index.js';

export type PortConflict = {
  port: number;
  protocol: 'tcp' | 'udp';
  service: string;
  source: 'docker' | 'host';
  /** The container holding the port (docker), or the address a host program listens on. */
  holder: string;
  appId: string | null;
};

type Claim = { port: number; protocol: 'tcp' | 'udp' };

const key = (claim: Claim): string => `${claim.port}/${claim.protocol}`;

export function findPortConflicts(
  wanted: readonly PublishedPort[],
  containers: readonly ContainerSummary[],
  listening: readonly ListeningSocket[],
  ownProject: string,
): PortConflict[] {
  const ownPorts = new Set<string>();
  const dockerHolders = new Map<string, { holder: string; appId: string | null }>();
  for (const container of containers) {
    if (container.state !== 'running') continue;
    const isOwn = container.labels[COMPOSE_PROJECT_LABEL] === ownProject;
    for (const port of container.ports) {
      if (port.publicPort === null) continue;
      const claim = { port: port.publicPort, protocol: port.type === 'udp' ? ('udp' as const) : ('tcp' as const) };
      if (isOwn) ownPorts.add(key(claim));
      else
        dockerHolders.set(key(claim), {
          holder: (container.names[0] ?? container.id.slice(0, 12)).replace(/^\//, ''),
          appId: container.labels[APP_ID_LABEL] ?? null,
        });
    }
  }
  const hostHolders = new Map<string, string>();
  for (const socket of listening)
    hostHolders.set(key(socket), `${socket.family === 6 ? `[${socket.address}]` : socket.address}:${socket.port}`);

  const conflicts: PortConflict[] = [];
  for (const port of wanted) {
    // Docker and /proc/net report TCP and UDP only; SCTP ports are left to Docker to refuse.
    if (port.hostPort === null || port.protocol === 'sctp') continue;
    const claim = { port: port.hostPort, protocol: port.protocol };
    const docker = dockerHolders.get(key(claim));
    if (docker) {
      conflicts.push({ ...claim, service: port.service, source: 'docker', holder: docker.holder, appId: docker.appId });
      continue;
    }
    // Docker's own proxy listens on every port a container publishes, the app's own ones included.
    const host = hostHolders.get(key(claim));
    if (host && !ownPorts.has(key(claim))) conflicts.push({ ...claim, service: port.service, source: 'host', holder: host, appId: null });
  }
  return conflicts;
}

export function describePortConflict(conflict: PortConflict): string {
  const what = `Port ${conflict.port}/${conflict.protocol} (service ${conflict.service})`;
  if (conflict.source === 'docker') {
    return `${what} is already published by container ${conflict.holder}${conflict.appId ? ` of app ${conflict.appId}` : ''}`;
  }
  return `${what} is already in use by a program on the host listening on ${conflict.holder}`;
}
