// Compose `ports:` entries (short and long syntax) turned into one mapping per container port.

export type PortMapping = {
  containerPort: number;
  /** null when compose picks a random host port (`- "8080"`). */
  hostPort: number | null;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIp: string | null;
};

const MAX_RANGE = 1024;

function parseRange(text: string): [number, number] | null {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  if (!match) return null;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start < 1 || end > 65535 || end < start || end - start >= MAX_RANGE) return null;
  return [start, end];
}

function parseProtocol(text: string | undefined): PortMapping['protocol'] | null {
  const protocol = (text ?? 'tcp').toLowerCase();
  return protocol === 'tcp' || protocol === 'udp' || protocol === 'sctp' ? protocol : null;
}

function scalarText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** Parses one already-interpolated port entry; throws with a readable message when it is not one. */
export function parsePortEntry(entry: unknown): PortMapping[] {
  if (typeof entry === 'number') return parsePortEntry(String(entry));
  if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
    const long = entry as { target?: unknown; published?: unknown; protocol?: unknown; host_ip?: unknown };
    const targetText = scalarText(long.target);
    const publishedText = scalarText(long.published);
    const target = parseRange(targetText);
    if (!target || target[0] !== target[1]) throw new Error(`port target ${targetText} is not a port number`);
    const published = publishedText === '' ? null : parseRange(publishedText);
    if (publishedText !== '' && !published) throw new Error(`published port ${publishedText} is not a port`);
    const protocol = parseProtocol(typeof long.protocol === 'string' ? long.protocol : undefined);
    if (!protocol) throw new Error(`port protocol ${String(long.protocol)} is not tcp, udp or sctp`);
    return [
      {
        containerPort: target[0],
        hostPort: published ? published[0] : null,
        protocol,
        hostIp: typeof long.host_ip === 'string' ? long.host_ip : null,
      },
    ];
  }
  if (typeof entry !== 'string') throw new Error(`port entry ${JSON.stringify(entry)} is not a string, number or mapping`);
  const [spec, protocolText, extra] = entry.trim().split('/');
  if (extra !== undefined) throw new Error(`port entry "${entry}" has more than one "/"`);
  const protocol = parseProtocol(protocolText);
  if (!protocol || spec === undefined) throw new Error(`port entry "${entry}" has an unknown protocol`);
  let hostIp: string | null = null;
  let rest = spec;
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (bracketed) {
    hostIp = bracketed[1] ?? null;
    rest = bracketed[2] ?? '';
  }
  const parts = rest.split(':');
  if (parts.length > 3 || (bracketed && parts.length > 2)) throw new Error(`port entry "${entry}" is not [ip:][host:]container[/protocol]`);
  const containerText = parts[parts.length - 1] ?? '';
  const hostText = parts.length >= 2 ? (parts[parts.length - 2] ?? '') : '';
  if (parts.length === 3) hostIp = parts[0] ?? null;
  const container = parseRange(containerText);
  if (!container) throw new Error(`port entry "${entry}" has no valid container port`);
  const host = hostText === '' ? null : parseRange(hostText);
  if (hostText !== '' && !host) throw new Error(`port entry "${entry}" has no valid host port`);
  const count = container[1] - container[0] + 1;
  if (host && host[1] - host[0] + 1 !== count && host[0] !== host[1])
    throw new Error(`port entry "${entry}" maps ranges of different sizes`);
  const mappings: PortMapping[] = [];
  for (let offset = 0; offset < count; offset += 1) {
    const hostPort = host ? (host[0] === host[1] ? host[0] : host[0] + offset) : null;
    mappings.push({ containerPort: container[0] + offset, hostPort, protocol, hostIp });
  }
  return mappings;
}

/** The key GET /applications uses for a container port: "8989" or "53/udp". */
export function portKey(mapping: Pick<PortMapping, 'containerPort' | 'protocol'>): string {
  return mapping.protocol === 'tcp' ? String(mapping.containerPort) : `${mapping.containerPort}/${mapping.protocol}`;
}
