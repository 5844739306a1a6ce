// The keys of a deploy config → variable names. Besides the variables themselves, POST /deploy takes
// what the original product's deploy form sends: lowercased variable names (`tz`), `domain`,
// `port_<containerPort>` for a host port, and `containerName` for the main service's container.
import { GLOBAL_VARIABLES, type CatalogEntry } from './catalog-template.js';

export type FieldError = { path: string; message: string };

export type DeployConfigKeys = {
  /** The values by variable name (DOCKERNETWORK included, so the caller can refuse it). */
  config: Record<string, unknown>;
  /** The key each variable was given as, so errors name what the client sent. */
  givenAs: Record<string, string>;
  /** The main service's container name, as given (checked by the caller); null when not given or empty. */
  containerName: unknown;
  errors: FieldError[];
  /** Whether a key named nothing the app accepts: the error then lists the keys it does. */
  hasUnknownKey: boolean;
};

const CONTAINER_NAME_KEY = 'containername';
const PORT_KEY = /^port_(\d{1,5})(?:\/(tcp|udp|sctp))?$/i;

/** The key GET /applications lists a container port under: "8989" (tcp) or "53/udp". */
function containerPortKey(port: string, protocol: string | undefined): string {
  const lowered = (protocol ?? 'tcp').toLowerCase();
  return lowered === 'tcp' ? String(Number(port)) : `${Number(port)}/${lowered}`;
}

/** The names a deploy config may use for this app, as one short list for an error message. */
export function acceptedConfigKeys(entry: CatalogEntry): string[] {
  const ports = Object.keys(entry.template.portVariables).map((key) => `port_${key}`);
  return ['containerName', ...ports, ...Object.keys(GLOBAL_VARIABLES), ...Object.keys(entry.template.variables)];
}

/**
 * Maps every key to the variable it sets, letter case ignored. Two keys that land on one variable
 * are an error (which one would win is a guess), except port keys that agree: one variable may
 * publish a port for TCP and UDP, and a form shows a field for each.
 */
export function readDeployConfigKeys(entry: CatalogEntry, userConfig: Record<string, unknown>): DeployConfigKeys {
  const { template } = entry;
  const byLowercase = new Map<string, string>();
  for (const name of ['DOCKERNETWORK', ...Object.keys(GLOBAL_VARIABLES), ...Object.keys(template.variables)]) {
    byLowercase.set(name.toLowerCase(), name);
  }
  // Maps, not objects: a foreign template's variable names come from its text.
  const config = new Map<string, unknown>();
  const givenAs = new Map<string, string>();
  const errors: FieldError[] = [];
  let hasUnknownKey = false;
  let containerName: unknown = null;
  let containerNameKey: string | null = null;

  for (const [key, value] of Object.entries(userConfig)) {
    if (key.toLowerCase() === CONTAINER_NAME_KEY) {
      if (containerNameKey !== null) {
        errors.push({ path: `config.${key}`, message: `is given as config.${containerNameKey} too; give only one of them` });
        continue;
      }
      containerNameKey = key;
      containerName = value === '' || value === undefined ? null : value;
      continue;
    }
    let name = byLowercase.get(key.toLowerCase());
    // A variable's own name wins over the port_ form, should a template call a variable PORT_8080.
    const port = name === undefined ? PORT_KEY.exec(key) : null;
    if (port) {
      const portKey = containerPortKey(port[1] as string, port[2]);
      name = template.portVariables[portKey];
      if (name === undefined) {
        hasUnknownKey = true;
        const isFixed = entry.app.ports[portKey] !== undefined;
        errors.push({
          path: `config.${key}`,
          message: isFixed
            ? `the host port of container port ${portKey} is fixed by the template of ${entry.app.id}`
            : `${entry.app.id} publishes no container port ${portKey}`,
        });
        continue;
      }
    } else if (name === undefined) {
      hasUnknownKey = true;
      errors.push({ path: `config.${key}`, message: `is not a variable of ${entry.app.id}` });
      continue;
    }
    const earlier = givenAs.get(name);
    if (earlier !== undefined) {
      const isPortPair = port !== null && PORT_KEY.test(earlier);
      if (!isPortPair) errors.push({ path: `config.${key}`, message: `sets ${name}, as config.${earlier} does; give only one of them` });
      else if (String(config.get(name)) !== String(value))
        errors.push({ path: `config.${key}`, message: `sets ${name}, as config.${earlier} does, to another value` });
      continue;
    }
    givenAs.set(name, key);
    config.set(name, value);
  }
  return { config: Object.fromEntries(config), givenAs: Object.fromEntries(givenAs), containerName, errors, hasUnknownKey };
}
