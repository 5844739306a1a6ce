// What kind of address an IP literal is. Used where a name or address given to us decides where
// something connects or whom we trust: the Host and Origin checks, and the mount endpoints.
import net from 'node:net';

export type AddressKind = 'loopback' | 'unspecified' | 'link-local' | 'metadata' | 'private' | 'public';

function blockList(entries: [string, number, 'ipv4' | 'ipv6'][]): net.BlockList {
  const list = new net.BlockList();
  for (const [address, prefix, family] of entries) list.addSubnet(address, prefix, family);
  return list;
}

const LOOPBACK = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const UNSPECIFIED = blockList([
  ['0.0.0.0', 8, 'ipv4'],
  ['::', 128, 'ipv6'],
]);
const LINK_LOCAL = blockList([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
]);
// Cloud instance-metadata services outside the link-local ranges (Alibaba's; AWS's IPv6 one).
const METADATA = blockList([
  ['100.100.100.200', 32, 'ipv4'],
  ['fd00:ec2::254', 128, 'ipv6'],
]);
// RFC 1918, carrier-grade NAT (Tailscale and other overlay VPNs hand these out), IPv6 unique-local.
const PRIVATE = blockList([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
]);

/** Unwraps `[::1]` and IPv4-mapped IPv6 (`::ffff:169.254.169.254`) to the address they carry. */
export function normalizeIp(text: string): string | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const family = net.isIP(bare);
  if (family === 0) return null;
  if (family === 6) {
    const mapped = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped?.[1] && net.isIPv4(mapped[1])) return mapped[1];
  }
  return bare.toLowerCase();
}

/** The kind of an IP literal; null when the text is not one. */
export function classifyAddress(text: string): AddressKind | null {
  const ip = normalizeIp(text);
  if (ip === null) return null;
  const family = net.isIPv4(ip) ? 'ipv4' : 'ipv6';
  if (METADATA.check(ip, family)) return 'metadata';
  if (LOOPBACK.check(ip, family)) return 'loopback';
  if (UNSPECIFIED.check(ip, family)) return 'unspecified';
  if (LINK_LOCAL.check(ip, family)) return 'link-local';
  if (PRIVATE.check(ip, family)) return 'private';
  return 'public';
}

/** A host as compared everywhere: no IPv6 brackets, no trailing dot, lower case (`[FE80::1]` → `fe80::1`, `NAS.lan.` → `nas.lan`). */
export function bareHostname(host: string): string {
  return host
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** `localhost` and its subdomains always mean this machine (RFC 6761). */
export function isLocalhostName(hostname: string): boolean {
  const name = bareHostname(hostname);
  return name === 'localhost' || name.endsWith('.localhost');
}
