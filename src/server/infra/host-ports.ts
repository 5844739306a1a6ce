// The host's view of its ports: listening sockets from /proc/net and a bind probe.
// Both describe the network namespace this process runs in: on the host (or with host
// networking) that is the host's; inside a bridged container it is only the container's own.
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export type ListeningSocket = { protocol: 'tcp' | 'udp'; family: 4 | 6; address: string; port: number };

export interface HostPorts {
  /** TCP sockets in LISTEN state and bound, unconnected UDP sockets. */
  listListeningSockets(): Promise<ListeningSocket[]>;
  /** True when a TCP listener on all addresses can take the port right now. */
  canBind(port: number): Promise<boolean>;
}

const TCP_LISTEN = '0A';
// An unconnected UDP socket is reported in TCP_CLOSE (07); connected ones are clients, not services.
const UDP_UNCONNECTED = '07';

/** /proc/net stores each 32-bit word of an address in host (little-endian) byte order. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).reverse().map((pair) => parseInt(pair, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let index = 0; index < bytes.length; index += 2) groups.push((((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0)).toString(16));
  // IPv4-mapped (::ffff:a.b.c.d) and the unspecified address read better in their usual forms.
  if (groups.slice(0, 5).every((group) => group === '0') && groups[5] === 'ffff') return `::ffff:${bytes.slice(12).join('.')}`;
  return compressIpv6(groups);
}

/** RFC 5952 form: the longest run of two or more zero groups becomes "::". */
function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < groups.length;) {
    let end = start;
    while (end < groups.length && groups[end] === '0') end += 1;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end === start ? start + 1 : end;
  }
  if (bestStart === -1) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

/** Parses one /proc/net/{tcp,tcp6,udp,udp6} file. */
export function parseProcNetSockets(text: string, protocol: 'tcp' | 'udp', family: 4 | 6): ListeningSocket[] {
  const wantedState = protocol === 'tcp' ? TCP_LISTEN : UDP_UNCONNECTED;
  const sockets: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [local, remote, state] = [fields[1], fields[2], fields[3]];
    if (!local || !remote || state !== wantedState) continue;
    const [addressHex = '', portHex = ''] = local.split(':');
    const remotePort = remote.split(':')[1];
    if (protocol === 'udp' && remotePort !== '0000') continue;
    const port = parseInt(portHex, 16);
    if (!Number.isInteger(port) || port === 0) continue;
    sockets.push({ protocol, family, address: decodeAddress(addressHex), port });
  }
  return sockets;
}

function tryListen(port: number, host: string): Promise<'bound' | 'in-use' | 'unsupported'> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'EAFNOSUPPORT' || error.code === 'EADDRNOTAVAIL' ? 'unsupported' : 'in-use');
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve('bound')));
  });
}

export class ProcHostPorts implements HostPorts {
  private reading: Promise<ListeningSocket[]> | null = null;
  private readonly probes = new Map<number, Promise<boolean>>();

  constructor(private readonly procNetDir = '/proc/net') {}

  /**
   * Reading /proc/net/tcp walks every socket of the namespace (tens of ms with a few thousand
   * connections, on the libuv thread pool): callers that ask while a read is under way share it,
   * so a burst of port checks costs one read instead of queueing behind each other.
   */
  listListeningSockets(): Promise<ListeningSocket[]> {
    this.reading ??= this.readSockets().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async readSockets(): Promise<ListeningSocket[]> {
    const files = [
      { file: 'tcp', protocol: 'tcp', family: 4 },
      { file: 'tcp6', protocol: 'tcp', family: 6 },
      { file: 'udp', protocol: 'udp', family: 4 },
      { file: 'udp6', protocol: 'udp', family: 6 },
    ] as const;
    const parsed = await Promise.all(
      files.map(async ({ file, protocol, family }) => {
        // A kernel without IPv6 has no tcp6/udp6 file; that is not an error.
        const text = await readFile(path.join(this.procNetDir, file), 'utf8').catch(() => '');
        return parseProcNetSockets(text, protocol, family);
      }),
    );
    return parsed.flat();
  }

  /**
   * Two probes of one port at the same time would each find the other's listener and call the port
   * taken (concurrent GET /ports/available answered "no free port"); callers share a running probe.
   */
  canBind(port: number): Promise<boolean> {
    let probe = this.probes.get(port);
    if (!probe) {
      probe = this.probeBind(port).finally(() => this.probes.delete(port));
      this.probes.set(port, probe);
    }
    return probe;
  }

  private async probeBind(port: number): Promise<boolean> {
    // "::" also takes IPv4 on a dual-stack host; a host without IPv6 gets the IPv4 wildcard instead.
    const dualStack = await tryListen(port, '::');
    if (dualStack !== 'unsupported') return dualStack === 'bound';
    return (await tryListen(port, '0.0.0.0')) === 'bound';
  }
}
