// Which host ports are taken (published by containers or listened on by anything on the host)
// and which one in a range is free.
import type { PortCheck, PortUse } from '../../../contracts/ports.js';
import { AppError } from '../../errors.js';
import type { DockerEngine } from '../../infra/docker/engine.js';
import type { HostPorts } from '../../infra/host-ports.js';
import { findContainerApp } from '../stacks/index.js';

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

export class PortsService {
  constructor(
    private readonly deps: {
      docker: DockerEngine;
      hostPorts: HostPorts;
      composeProjectPrefix: string;
    },
  ) {}

  /**
   * Docker's published ports (the Engine API lists every port of a published range on its own)
   * and the host's listening sockets. A host socket on a port a container publishes is the
   * container's own proxy, so it is reported once, as the container's.
   */
  async check(): Promise<PortCheck> {
    const [containers, sockets] = await Promise.all([
      this.deps.docker.listContainers({ all: false }),
      this.deps.hostPorts.listListeningSockets(),
    ]);
    const details: PortUse[] = [];
    const seen = new Set<string>();
    for (const container of containers) {
      const app = findContainerApp(container.labels, this.deps.composeProjectPrefix);
      const name = container.names[0]?.replace(/^\//, '') ?? container.id.slice(0, 12);
      for (const port of container.ports) {
        if (port.publicPort === null || !PROTOCOLS.has(port.type)) continue;
        const key = `${port.publicPort}/${port.type}/${container.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        seen.add(`${port.publicPort}/${port.type}`);
        details.push({
          port: port.publicPort,
          protocol: port.type as PortUse['protocol'],
          source: 'docker',
          container: name,
          appId: app?.appId ?? null,
          address: port.ip,
        });
      }
    }
    for (const socket of sockets) {
      const key = `${socket.port}/${socket.protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      details.push({ port: socket.port, protocol: socket.protocol, source: 'host', container: null, appId: null, address: socket.address });
    }
    details.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol) || a.source.localeCompare(b.source));
    const usedPorts = [...new Set(details.map((detail) => detail.port))];
    return { success: true, usedPorts, source: 'docker-engine+host-sockets', details };
  }

  /** The lowest port in [start, end] that nothing publishes or listens on and that binds right now. */
  async findAvailable(start: number, end: number): Promise<number> {
    const { usedPorts } = await this.check();
    const used = new Set(usedPorts);
    for (let port = start; port <= end; port += 1) {
      if (used.has(port)) continue;
      if (await this.deps.hostPorts.canBind(port)) return port;
    }
    throw new AppError('NOT_FOUND', 'No free port', `Every port from ${start} to ${end} is in use; try another range`);
  }
}
