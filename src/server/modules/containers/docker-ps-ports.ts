// The `Ports` column of `docker ps`, built from the Engine API's per-port list.
import type { ContainerPort } from '../../infra/docker/engine.js';

function hostAndPort(ip: string, port: string): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

// Byte order, as Docker sorts: "0.0.0.0" before "::".
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const span = (first: number, last: number): string => (first === last ? String(first) : `${first}-${last}`);

/**
 * Formats ports the way `docker ps` does: consecutive ports with the same address and protocol
 * that map to themselves collapse into a range ("0.0.0.0:8000-8002->8000-8002/tcp"), exposed-only
 * ports show as "80/tcp", and ports mapped to a different host port are listed one by one after
 * the ranges. IPv6 addresses are bracketed ("[::]:8080->80/tcp").
 */
export function formatDockerPsPorts(ports: ContainerPort[]): string {
  const sorted = [...ports].sort(
    (a, b) =>
      a.privatePort - b.privatePort ||
      compareText(a.ip ?? '', b.ip ?? '') ||
      (a.publicPort ?? 0) - (b.publicPort ?? 0) ||
      compareText(a.type, b.type),
  );
  const groups = new Map<string, { ip: string | null; type: string; ranges: [number, number][] }>();
  const mappings: string[] = [];
  for (const port of sorted) {
    const isPublished = port.ip !== null && port.publicPort !== null;
    if (isPublished && port.publicPort !== port.privatePort) {
      mappings.push(`${hostAndPort(port.ip!, String(port.publicPort))}->${port.privatePort}/${port.type}`);
      continue;
    }
    const ip = isPublished ? port.ip : null;
    const key = `${ip ?? ''}/${port.type}`;
    const group = groups.get(key) ?? { ip, type: port.type, ranges: [] };
    groups.set(key, group);
    const last = group.ranges[group.ranges.length - 1];
    if (last && port.privatePort === last[1] + 1) last[1] = port.privatePort;
    else if (!last || port.privatePort !== last[1]) group.ranges.push([port.privatePort, port.privatePort]);
  }
  const ranges: string[] = [];
  for (const group of groups.values()) {
    for (const [first, last] of group.ranges) {
      const text = span(first, last);
      ranges.push(group.ip === null ? `${text}/${group.type}` : `${hostAndPort(group.ip, text)}->${text}/${group.type}`);
    }
  }
  return [...ranges, ...mappings].join(', ');
}
