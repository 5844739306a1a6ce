// Reading facts out of a compose document: variables used, privileges, published ports.
import type { ComposeDocument, ComposeService } from './catalog-template.js';
import { findVariableReferences, forEachString, interpolate } from './compose-variables.js';
import { parsePortEntry, portKey, type PortMapping } from './port-spec.js';

/** Every variable the document refers to, with inline defaults (first one wins). */
export function collectVariableReferences(document: unknown): Map<string, string | null> {
  const found = new Map<string, string | null>();
  forEachString(document, (text) => {
    if (!text.includes('$')) return;
    for (const reference of findVariableReferences(text)) {
      const known = found.get(reference.name);
      if (known === undefined || known === null) found.set(reference.name, reference.defaultValue);
    }
  });
  return found;
}

/** A YAML scalar as compose reads it; mappings and lists (not valid here) become ''. */
export function scalarText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Volume entries as "source:target[:mode]" strings (long syntax flattened). */
export function volumeStrings(service: ComposeService): string[] {
  return asList(service.volumes).map((volume) => {
    if (typeof volume === 'string') return volume;
    if (volume && typeof volume === 'object') {
      const long = volume as { source?: unknown; target?: unknown; read_only?: unknown };
      const source = typeof long.source === 'string' ? long.source : '';
      const target = typeof long.target === 'string' ? long.target : '';
      return `${source ? `${source}:` : ''}${target}${long.read_only === true ? ':ro' : ''}`;
    }
    return String(volume);
  });
}

/** What in a service needs elevated rights, as human-readable findings. */
export function detectPrivileges(document: ComposeDocument): string[] {
  const findings: string[] = [];
  for (const [name, service] of Object.entries(document.services)) {
    if (service.privileged === true || service.privileged === 'true') findings.push(`${name}: privileged`);
    for (const key of ['network_mode', 'pid', 'ipc', 'userns_mode'] as const) {
      if (service[key] === 'host') findings.push(`${name}: ${key} host`);
    }
    if (volumeStrings(service).some((volume) => volume.includes('docker.sock'))) findings.push(`${name}: mounts the Docker socket`);
    if (asList(service.devices).length > 0) findings.push(`${name}: devices ${asList(service.devices).map(String).join(', ')}`);
    if (asList(service.cap_add).length > 0) findings.push(`${name}: capabilities ${asList(service.cap_add).map(String).join(', ')}`);
    for (const option of asList(service.security_opt)) {
      if (typeof option === 'string' && /unconfined/.test(option)) findings.push(`${name}: security_opt ${option}`);
    }
  }
  return findings;
}

export type ServicePort = PortMapping & { service: string };

/** The published ports of every service once values are substituted; throws on an entry that is not a port. */
export function resolvePorts(document: ComposeDocument, values: Readonly<Record<string, string>>): ServicePort[] {
  const ports: ServicePort[] = [];
  for (const [service, definition] of Object.entries(document.services)) {
    for (const entry of asList(definition.ports)) {
      for (const mapping of parsePortEntry(interpolatePortEntry(entry, values))) ports.push({ service, ...mapping });
    }
  }
  return ports;
}

// Two unlikely host ports: a variable maps a container port when its host port follows both.
const PORT_PROBES = [64_917, 64_919] as const;

function interpolatePortEntry(entry: unknown, values: Readonly<Record<string, string>>): unknown {
  if (typeof entry === 'string') return interpolate(entry, values);
  return entry && typeof entry === 'object' ? resolveObject(entry, values) : entry;
}

/**
 * Which variable sets the host port published for each container port ("8989", "53/udp"), found
 * by substituting probe values: the original product's deploy form sends `port_<containerPort>`.
 * Ports whose host port is fixed, or whose variable also moves the container port, are left out.
 */
export function hostPortVariables(document: ComposeDocument, values: Readonly<Record<string, string>>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const definition of Object.values(document.services)) {
    for (const entry of asList(definition.ports)) {
      const names = new Set<string>();
      forEachString(entry, (text) => {
        for (const reference of findVariableReferences(text)) names.add(reference.name);
      });
      for (const name of names) {
        let real: PortMapping[];
        let probed: PortMapping[][];
        try {
          real = parsePortEntry(interpolatePortEntry(entry, values));
          probed = PORT_PROBES.map((probe) => parsePortEntry(interpolatePortEntry(entry, { ...values, [name]: String(probe) })));
        } catch {
          // The variable is not a whole host port here (a range bound, an address, a protocol).
          continue;
        }
        real.forEach((mapping, index) => {
          const isMoved = probed.every(
            (mappings, probe) =>
              mappings[index]?.hostPort === PORT_PROBES[probe] &&
              mappings[index]?.containerPort === mapping.containerPort &&
              mappings[index]?.protocol === mapping.protocol,
          );
          if (isMoved) found[portKey(mapping)] = name;
        });
      }
    }
  }
  return found;
}

function resolveObject(entry: object, values: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry as Record<string, unknown>))
    out[key] = typeof value === 'string' ? interpolate(value, values) : value;
  return out;
}

/** A compose KEY=value list (`- KEY=value`, `- KEY`) or mapping as a map; a bare KEY maps to ''. */
function keyValueMap(entries: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(entries)) {
    for (const entry of entries) {
      const text = String(entry);
      const index = text.indexOf('=');
      if (index < 0) out[text] = '';
      else out[text.slice(0, index)] = text.slice(index + 1);
    }
  } else if (entries && typeof entries === 'object') {
    for (const [key, value] of Object.entries(entries as Record<string, unknown>)) out[key] = scalarText(value);
  }
  return out;
}

/** Labels as a map, whichever syntax the service uses. */
export function labelMap(service: ComposeService): Record<string, string> {
  return keyValueMap(service.labels);
}
