// Metadata for a plain compose file without x-homelabarr (the original product's templates):
// inferred from its first service, its labels and its ${VAR} references, with that product's defaults.
import {
  isGlobalVariable,
  isReservedVariableName,
  type CatalogTemplate,
  type ComposeDocument,
  type TemplateVariable,
  type WebEndpoint,
} from './catalog-template.js';
import { interpolate } from './compose-variables.js';
import { parsePortEntry } from './port-spec.js';
import { asList, collectVariableReferences, labelMap } from './template-inspection.js';

/** The part of a CatalogTemplate that a foreign template's contents imply. */
export type ForeignMetadata = Pick<
  CatalogTemplate,
  'displayName' | 'description' | 'homepage' | 'icon' | 'web' | 'modes' | 'variables' | 'requiresTraefik' | 'requiresAuthelia'
>;

/** The original product's defaults for the variables its templates use besides the globals. */
const FIXED_DEFAULTS: Record<string, string> = { SECURITYOPS: 'no-new-privileges', SECURITYOPSSET: 'true' };

export function titleCase(name: string): string {
  return name
    .split(/[-_.\s]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/** The service whose `image:` is exactly this variable, e.g. image: "${PLEXIMAGE}" → plex. */
function serviceOfImageVariable(document: ComposeDocument, name: string): string | null {
  for (const [service, definition] of Object.entries(document.services)) {
    if (definition.image === `\${${name}}` || definition.image === `$${name}`) return service;
  }
  return null;
}

function inferDefault(name: string, inline: string | null, imageService: string): string {
  if (inline !== null) return inline;
  if (name in FIXED_DEFAULTS) return FIXED_DEFAULTS[name] as string;
  // <APP>IMAGE names the app's image; the original product used LinuxServer's builds.
  if (name.endsWith('IMAGE')) return `lscr.io/linuxserver/${imageService}:latest`;
  if (name.endsWith('THEME')) return 'dark';
  return '';
}

function inferWeb(document: ComposeDocument, defaults: Record<string, string>): WebEndpoint | null {
  const services = Object.entries(document.services);
  for (const [service, definition] of services) {
    for (const [key, value] of Object.entries(labelMap(definition))) {
      if (/^traefik\.http\.services\.[^.]+\.loadbalancer\.server\.port$/.test(key)) {
        const port = Number(interpolate(value, defaults));
        if (Number.isInteger(port) && port > 0 && port < 65536) return { service, port };
      }
    }
  }
  for (const [service, definition] of services) {
    for (const entry of asList(definition.ports)) {
      try {
        const mapping = parsePortEntry(typeof entry === 'string' ? interpolate(entry, defaults) : entry)[0];
        if (mapping && mapping.protocol === 'tcp') return { service, port: mapping.containerPort };
      } catch {
        // A port entry that does not parse cannot be the web port; the renderer reports it at deploy time.
      }
    }
  }
  return null;
}

export function inferForeignMetadata(
  document: ComposeDocument,
  location: { category: string; name: string },
  globals: Readonly<Record<string, string>>,
): ForeignMetadata {
  const firstService = Object.keys(document.services)[0] ?? location.name;
  const variables: Record<string, TemplateVariable> = {};
  for (const [name, inline] of collectVariableReferences(document)) {
    // Reserved names are compose's own settings; the .env never sets them, so they stay unset.
    if (isGlobalVariable(name) || isReservedVariableName(name)) continue;
    const fallback = inferDefault(name, inline, serviceOfImageVariable(document, name) ?? firstService);
    variables[name] = {
      name,
      type: /PORT$/.test(name) && /^\d{1,5}$/.test(fallback) ? 'port' : 'string',
      default: fallback,
      required: false,
      description: `Used by the template as \${${name}}`,
    };
  }
  const defaults: Record<string, string> = { ...globals, DOCKERNETWORK: 'default' };
  for (const variable of Object.values(variables)) defaults[variable.name] = variable.default ?? '';
  let requiresTraefik = false;
  let requiresAuthelia = false;
  for (const definition of Object.values(document.services)) {
    for (const [key, value] of Object.entries(labelMap(definition))) {
      if (key === 'traefik.enable' && value.trim() === 'true') requiresTraefik = true;
      if (/^traefik\.http\.routers\.[^.]+\.middlewares$/.test(key) && /authelia/i.test(value)) requiresAuthelia = true;
    }
  }
  const web = inferWeb(document, defaults);
  return {
    displayName: titleCase(location.name),
    description: `${titleCase(location.name)} from an imported compose template (${location.category}/${location.name}).`,
    homepage: '',
    icon: location.name,
    web,
    modes: web ? ['standard', 'traefik', 'authelia'] : ['standard'],
    variables,
    requiresTraefik,
    requiresAuthelia,
  };
}
