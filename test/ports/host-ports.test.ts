// Unit and host tier: /proc/net parsing, and the real listing and bind probe on this machine.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProcNetSockets, ProcHostPorts } from '../../src/server/infra/host-ports.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const row = (local: string, remote: string, state: string): string =>
  `   0: ${local} ${remote} ${state} 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n`;

describe('parseProcNetSockets', () => {
  it('reads listening TCP sockets and skips established ones', () => {
    const text =
      HEADER +
      row('0100007F:46A1', '00000000:0000', '0A') +
      row('00000000:1F90', '00000000:0000', '0A') +
      row('0100007F:1F90', '0100007F:C350', '01');
    expect(parseProcNetSockets(text, 'tcp', 4)).toEqual([
      { protocol: 'tcp', family: 4, address: '127.0.0.1', port: 18081 },
      { protocol: 'tcp', family: 4, address: '0.0.0.0', port: 8080 },
    ]);
  });

  it('decodes IPv6 addresses, including loopback and IPv4-mapped ones', () => {
    const text =
      HEADER +
      row('00000000000000000000000000000000:1F90', '00000000000000000000000000000000:0000', '0A') +
      row('00000000000000000000000001000000:0CEA', '00000000000000000000000000000000:0000', '0A') +
      row('0000000000000000FFFF00000100007F:1F91', '00000000000000000000000000000000:0000', '0A') +
      row('B80D0120000000000000000001000000:0050', '00000000000000000000000000000000:0000', '0A');
    expect(parseProcNetSockets(text, 'tcp', 6).map((socket) => `${socket.address} ${socket.port}`)).toEqual([
      ':: 8080',
      '::1 3306',
      '::ffff:127.0.0.1 8081',
      '2001:db8::1 80',
    ]);
  });

  it('counts bound, unconnected UDP sockets only', () => {
    const text =
      HEADER +
      row('00000000:14E9', '00000000:0000', '07') +
      row('0100007F:A000', '0100007F:0035', '01') +
      row('0100007F:A001', '0100007F:0035', '07');
    expect(parseProcNetSockets(text, 'udp', 4)).toEqual([{ protocol: 'udp', family: 4, address: '0.0.0.0', port: 5353 }]);
  });
});

describe('ProcHostPorts on this host', () => {
  let server: net.Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('sees a plain listener and refuses to bind its port until it closes', async () => {
    server = net.createServer();
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const port = (listening.address() as net.AddressInfo).port;
    const hostPorts = new ProcHostPorts();
    expect(await hostPorts.listListeningSockets()).toContainEqual({ protocol: 'tcp', family: 4, address: '127.0.0.1', port });
    expect(await hostPorts.canBind(port)).toBe(false);
    await new Promise<void>((resolve) => listening.close(() => resolve()));
    server = undefined;
    expect(await hostPorts.canBind(port)).toBe(true);
  });
});
