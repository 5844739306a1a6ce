// The host's listening sockets, as a test says they are.
import type { HostPorts, ListeningSocket } from '../../src/server/infra/host-ports.js';

export class FakeHostPorts implements HostPorts {
  sockets: ListeningSocket[] = [];

  async listListeningSockets(): Promise<ListeningSocket[]> {
    return this.sockets.map((socket) => ({ ...socket }));
  }

  async canBind(port: number): Promise<boolean> {
    return !this.sockets.some((socket) => socket.port === port && socket.protocol === 'tcp');
  }
}
