// Turns a rendered stack into a smoke-test stack: every service runs the busybox stub, serving
// HTTP with httpd on each of its container ports, published on free loopback ports; nothing of
// the host is mounted and nothing is pulled. Only what a container needs to start is kept.
import { stringify } from 'yaml';
import type { RenderedStack } from '../../src/server/modules/catalog/render-compose.js';

export type SmokePort = { service: string; containerPort: number; hostPort: number; protocol: string };
export type SmokeStack = { composeYaml: string; ports: SmokePort[] };

type Service = Record<string, unknown>;

function dependsOnNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (value && typeof value === 'object') return Object.keys(value);
  return [];
}

/** Named volumes only: `name:/path`; host paths (`/…`, `./…`, `${APPFOLDER}/…`) are dropped. */
function namedVolumes(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((volume) => {
    if (typeof volume === 'string') return /^[A-Za-z0-9][A-Za-z0-9_.-]*:/.test(volume) ? [volume] : [];
    const long = volume as { type?: string; source?: string; target?: string };
    return long.type === 'volume' && long.source && long.target ? [`${long.source}:${long.target}`] : [];
  });
}

export function toSmokeStack(
  rendered: RenderedStack,
  options: {
    stubImage: string;
    labels: Record<string, string>;
    hostPortFor: (port: { service: string; containerPort: number; protocol: string }) => number;
  },
): SmokeStack {
  const services: Record<string, Service> = {};
  const ports: SmokePort[] = [];
  const declaredNetworks = (rendered.compose.networks as Record<string, { external?: boolean } | null> | undefined) ?? {};
  const externalNetworks = new Set(Object.keys(declaredNetworks).filter((key) => declaredNetworks[key]?.external === true));
  for (const [name, original] of Object.entries(rendered.compose.services)) {
    const listening = [
      ...new Set(rendered.ports.filter((port) => port.service === name && port.protocol === 'tcp').map((port) => port.containerPort)),
    ];
    const script =
      listening.length > 0 ? `for p in ${listening.join(' ')}; do httpd -p $$p -h /www; done; exec sleep 3600` : 'exec sleep 3600';
    const servicePorts = rendered.ports
      .filter((port) => port.service === name)
      .map((port) => {
        const hostPort = options.hostPortFor(port);
        ports.push({ service: name, containerPort: port.containerPort, hostPort, protocol: port.protocol });
        return `127.0.0.1:${hostPort}:${port.containerPort}/${port.protocol}`;
      });
    const service: Service = {
      image: options.stubImage,
      pull_policy: 'never',
      init: true,
      restart: 'no',
      command: ['/bin/sh', '-c', script],
      labels: { ...(original.labels as Record<string, string> | undefined), ...options.labels },
    };
    if (original.environment) service.environment = original.environment;
    if (servicePorts.length > 0) service.ports = servicePorts;
    if (original.expose) service.expose = original.expose;
    const dependsOn = dependsOnNames(original.depends_on);
    if (dependsOn.length > 0) service.depends_on = dependsOn;
    if (typeof original.network_mode === 'string' && original.network_mode.startsWith('service:'))
      service.network_mode = original.network_mode;
    else if (original.network_mode === undefined) {
      // External networks (the proxy) belong to the host's setup; the stub stays on its project's own networks.
      const keys = Array.isArray(original.networks)
        ? original.networks.map(String)
        : Object.keys((original.networks as object | undefined) ?? {});
      const internal = keys.filter((key) => key === 'default' || !externalNetworks.has(key));
      if (internal.length > 0) service.networks = internal;
    }
    if (typeof original.hostname === 'string') service.hostname = original.hostname;
    const volumes = namedVolumes(original.volumes);
    if (volumes.length > 0) service.volumes = volumes;
    services[name] = service;
  }
  const compose: Record<string, unknown> = { name: rendered.compose.name, services };
  const networks: Record<string, unknown> = { default: { labels: options.labels } };
  for (const key of Object.keys(declaredNetworks)) {
    if (!externalNetworks.has(key)) networks[key] = { labels: options.labels };
  }
  compose.networks = networks;
  const volumes = Object.keys((rendered.compose.volumes as Record<string, unknown> | undefined) ?? {});
  if (volumes.length > 0) compose.volumes = Object.fromEntries(volumes.map((volume) => [volume, { labels: options.labels }]));
  return { composeYaml: stringify(compose, { lineWidth: 0 }), ports };
}
