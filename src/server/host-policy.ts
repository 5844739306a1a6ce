// Which Host headers and Origins the server answers, against DNS rebinding: a page on
// http://evil.example:8092 whose name is re-pointed at this machine sends `Host: evil.example`
// and `Origin: http://evil.example:8092`. Comparing the two proves nothing; the host itself must
// be one this server is known by.
import { bareHostname, classifyAddress, isLocalhostName, normalizeIp } from './network-addresses.js';

export type HostPolicyInput = {
  /** ALLOWED_HOSTS: extra names (or `*.example.com` suffixes) the server is reached by, e.g. behind a proxy. */
  allowedHosts: string[];
  /** CORS_ORIGIN: origins allowed to call the API from another site; their hosts are trusted too. */
  corsOrigins: string[];
  /** This machine's host names (short and fully qualified) and interface addresses. */
  machineNames: string[];
  machineAddresses: string[];
};

export type HostPolicy = {
  /** Whether a Host header's host (without port) is a name or address this server is known by. */
  isKnownHost(host: string): boolean;
  /** The same for a whole Host header (`nas.lan:8092`); the answers for the few headers a server sees are remembered. */
  isKnownHostHeader(header: string | undefined): boolean;
  /** Whether a browser origin may call the API: a configured origin, or this server's own origin on a known host. */
  isAllowedOrigin(origin: string, requestHost: string | undefined): boolean;
};

/** The host part of a Host header (`[::1]:8092` → `::1`, `nas.lan:8084` → `nas.lan`); null when malformed. */
export function hostnameOf(hostHeader: string): string | null {
  try {
    const url = new URL(`http://${hostHeader}`);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return null;
    return bareHostname(url.hostname);
  } catch {
    return null;
  }
}

function originHost(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host.toLowerCase() : null;
  } catch {
    return null;
  }
}

export function createHostPolicy(input: HostPolicyInput): HostPolicy {
  const exactNames = new Set<string>();
  const suffixes: string[] = [];
  const addNamePattern = (pattern: string): void => {
    const name = pattern.trim().toLowerCase().replace(/\.$/, '');
    if (!name) return;
    if (name.startsWith('*.')) suffixes.push(name.slice(1));
    else exactNames.add(normalizeIp(name) ?? name);
  };
  for (const name of input.allowedHosts) addNamePattern(name);
  for (const name of input.machineNames) addNamePattern(name);
  for (const address of input.machineAddresses) addNamePattern(address);
  for (const origin of input.corsOrigins) {
    const host = origin === '*' ? null : originHost(origin);
    const name = host ? hostnameOf(host) : null;
    if (name) exactNames.add(name);
  }
  const corsOrigins = new Set(input.corsOrigins.map((origin) => origin.replace(/\/+$/, '')));

  function isKnownHost(host: string): boolean {
    const name = bareHostname(host);
    if (isLocalhostName(name) || exactNames.has(normalizeIp(name) ?? name)) return true;
    if (suffixes.some((suffix) => name.endsWith(suffix))) return true;
    // An address literal cannot be re-pointed by anyone's DNS: a browser that sent it reached it itself.
    // Only the addresses a homelab serves on are taken, though: loopback and the LAN ranges.
    const kind = classifyAddress(name);
    return kind === 'loopback' || kind === 'private' || kind === 'link-local';
  }

  const answeredHeaders = new Map<string, boolean>();
  const MAX_REMEMBERED_HEADERS = 64;

  return {
    isKnownHost,
    isKnownHostHeader(header) {
      if (!header) return false;
      const remembered = answeredHeaders.get(header);
      if (remembered !== undefined) return remembered;
      const name = hostnameOf(header);
      const answer = name !== null && isKnownHost(name);
      if (answeredHeaders.size < MAX_REMEMBERED_HEADERS) answeredHeaders.set(header, answer);
      return answer;
    },
    isAllowedOrigin(origin, requestHost) {
      if (corsOrigins.has('*') || corsOrigins.has(origin)) return true;
      const fromOrigin = originHost(origin);
      if (!fromOrigin || !requestHost || fromOrigin !== requestHost.toLowerCase()) return false;
      const name = hostnameOf(requestHost);
      return name !== null && isKnownHost(name);
    },
  };
}
