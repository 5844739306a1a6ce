// One template file → a CatalogEntry (the template plus the App the API lists), or a readable error.
import { parse as parseYaml } from 'yaml';
import type { App, AppVariable } from '../../../contracts/catalog.js';
import type { DeployModeType } from '../../../contracts/deployments.js';
import {
  GLOBAL_VARIABLES,
  HomelabarrMetaSchema,
  isGlobalVariable,
  isReservedVariableName,
  mainServiceName,
  toTemplateVariable,
  type CatalogEntry,
  type CatalogSource,
  type CatalogTemplate,
  type ComposeDocument,
  type GlobalDefaults,
  type TemplateVariable,
} from './catalog-template.js';
import { findVariableReferences, forEachString, interpolate } from './compose-variables.js';
import { inferForeignMetadata } from './foreign-template.js';
import { portKey } from './port-spec.js';
import { collectVariableReferences, detectPrivileges, hostPortVariables, resolvePorts, volumeStrings } from './template-inspection.js';
import { checkVariableValue } from './variable-values.js';

export type TemplateLocation = { file: string; category: string; name: string; source: CatalogSource };

/** A template that cannot be loaded; the message names what to fix. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const ALL_MODES: DeployModeType[] = ['standard', 'traefik', 'authelia'];

/** A template before the facts worked out from its finished variables. */
type ParsedTemplate = Omit<CatalogTemplate, 'portVariables'>;

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function formatIssues(issues: { path: PropertyKey[]; message: string; code?: string }[]): string {
  return issues
    .map((issue) => {
      const where = `x-homelabarr${issue.path.length ? `.${issue.path.map(String).join('.')}` : ''}`;
      // The usual cause: an unquoted description with a comma inside a { } flow mapping.
      const hint =
        issue.code === 'unrecognized_keys' && issue.path[0] === 'variables' ? ' (quote descriptions that contain commas or colons)' : '';
      return `${where}: ${issue.message}${hint}`;
    })
    .join('; ');
}

/** The compose document as it is rendered: no x-* extension keys, no obsolete `version`. */
function composeWithoutExtensions(document: Record<string, unknown>): ComposeDocument {
  const compose: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    if (key.startsWith('x-') || key === 'version') continue;
    compose[key] = value;
  }
  return compose as ComposeDocument;
}

/**
 * Parses a template. Returns null for a file without `services` (not a template at all); throws
 * TemplateError for one that is broken.
 */
export function parseTemplate(text: string, location: TemplateLocation, globals: GlobalDefaults): CatalogEntry | null {
  let document: unknown;
  try {
    document = parseYaml(text, { merge: true, maxAliasCount: 1000, prettyErrors: false });
  } catch (error) {
    throw new TemplateError(`not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  if (!isMapping(document) || document.services === undefined || document.services === null) return null;
  if (!isMapping(document.services) || Object.keys(document.services).length === 0)
    throw new TemplateError('services must be a mapping of at least one service');
  for (const [name, service] of Object.entries(document.services)) {
    if (!isMapping(service)) throw new TemplateError(`services.${name} must be a mapping`);
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new TemplateError(`service name "${name}" is not a valid compose service name`);
  }
  const compose = composeWithoutExtensions(document);
  const references = collectVariableReferences(compose);
  const rawMeta = document['x-homelabarr'];
  for (const name of references.keys()) {
    if (rawMeta !== undefined && isReservedVariableName(name)) {
      throw new TemplateError(`uses \${${name}}; names starting with COMPOSE_, DOCKER_ or BUILDKIT_ are read by compose itself`);
    }
  }
  const parsed =
    rawMeta === undefined ? foreignTemplate(compose, location, globals) : nativeTemplate(rawMeta, compose, references, location);
  const template: CatalogTemplate = { ...parsed, portVariables: hostPortVariables(compose, listingValues(parsed, globals)) };
  return { template, app: buildAppView(template, globals) };
}

function nativeTemplate(
  rawMeta: unknown,
  compose: ComposeDocument,
  references: Map<string, string | null>,
  location: TemplateLocation,
): ParsedTemplate {
  const parsed = HomelabarrMetaSchema.safeParse(rawMeta);
  if (!parsed.success) throw new TemplateError(formatIssues(parsed.error.issues));
  const meta = parsed.data;
  const variables: Record<string, TemplateVariable> = {};
  for (const [name, spec] of Object.entries(meta.variables)) {
    if (isGlobalVariable(name))
      throw new TemplateError(`x-homelabarr.variables.${name}: ${name} is a global variable; use it without declaring it`);
    if (isReservedVariableName(name))
      throw new TemplateError(
        `x-homelabarr.variables.${name}: names starting with COMPOSE_, DOCKER_ or BUILDKIT_ are read by compose itself`,
      );
    const variable = toTemplateVariable(name, spec);
    if (variable.default !== null && variable.default !== '') {
      const check = checkVariableValue(variable, variable.default.replace(/\$\{(APPFOLDER|MEDIAFOLDER)\}/g, '/placeholder'));
      if (!check.ok) throw new TemplateError(`x-homelabarr.variables.${name}.default: ${check.message}`);
    }
    variables[name] = variable;
  }
  const undeclared = [...references.keys()].filter((name) => !isGlobalVariable(name) && !(name in variables));
  if (undeclared.length > 0) {
    throw new TemplateError(
      `uses ${undeclared.map((name) => `\${${name}}`).join(', ')} without declaring ${undeclared.length > 1 ? 'them' : 'it'} in x-homelabarr.variables`,
    );
  }
  const web = meta.web ?? null;
  if (web && !(web.service in compose.services)) throw new TemplateError(`x-homelabarr.web.service: there is no service "${web.service}"`);
  const modes = meta.modes ?? (web ? ALL_MODES : ['standard']);
  if (!web && modes.some((mode) => mode !== 'standard'))
    throw new TemplateError('x-homelabarr.modes: traefik and authelia modes need x-homelabarr.web');
  for (const [name, service] of Object.entries(compose.services)) {
    if (typeof service.image !== 'string' || service.image.trim() === '') throw new TemplateError(`services.${name}.image is missing`);
  }
  const detected = detectPrivileges(compose);
  return {
    ...location,
    isForeign: false,
    compose,
    displayName: meta.displayName,
    description: meta.description,
    homepage: meta.homepage,
    icon: meta.icon,
    web,
    modes: [...new Set(modes)],
    apiPaths: meta.apiPaths,
    variables,
    privileges: meta.privileges?.length ? meta.privileges : detected,
    hasDeclaredPrivileges: meta.privileges !== undefined && meta.privileges.length > 0,
    imageVariables: imageVariables(compose),
    requiresTraefik: false,
    requiresAuthelia: false,
  };
}

function foreignTemplate(compose: ComposeDocument, location: TemplateLocation, globals: GlobalDefaults): ParsedTemplate {
  const inferred = inferForeignMetadata(compose, location, globals);
  return {
    ...location,
    isForeign: true,
    compose,
    displayName: inferred.displayName,
    description: inferred.description,
    homepage: inferred.homepage,
    icon: inferred.icon,
    web: inferred.web,
    modes: inferred.modes,
    apiPaths: [],
    variables: inferred.variables,
    privileges: detectPrivileges(compose),
    hasDeclaredPrivileges: false,
    imageVariables: imageVariables(compose),
    requiresTraefik: inferred.requiresTraefik,
    requiresAuthelia: inferred.requiresAuthelia,
  };
}

function imageVariables(compose: ComposeDocument): string[] {
  const names = new Set<string>();
  for (const service of Object.values(compose.services)) {
    if (typeof service.image === 'string') for (const reference of findVariableReferences(service.image)) names.add(reference.name);
  }
  return [...names];
}

/** Values a listing shows: global defaults, declared defaults, and `${NAME}` for secrets (generated at deploy). */
export function listingValues(template: Pick<CatalogTemplate, 'variables'>, globals: GlobalDefaults): Record<string, string> {
  const values: Record<string, string> = { ...globals, DOCKERNETWORK: 'default' };
  for (const variable of Object.values(template.variables)) {
    values[variable.name] = variable.type === 'secret' ? `\${${variable.name}}` : expandGlobals(variable.default ?? '', globals);
  }
  return values;
}

/** Defaults may start from a global folder, e.g. `${MEDIAFOLDER}/downloads`. */
export function expandGlobals(text: string, globals: Readonly<Record<string, string>>): string {
  return text.includes('$') ? interpolate(text, globals) : text;
}

function usedGlobals(template: CatalogTemplate): string[] {
  const names = new Set<string>();
  forEachString(template.compose, (text) => {
    for (const reference of findVariableReferences(text)) if (isGlobalVariable(reference.name)) names.add(reference.name);
  });
  return [...names];
}

/**
 * What a deploy form offers for each variable a user may set, with its default: the original
 * product's dashboard builds its form from `environment` and `ports`. Variables that set a host
 * port are offered under `ports` (as port_<containerPort>); DOMAIN has a field of its own in that
 * form, so listing it here too would give the form two fields of one name. Secrets are empty (a
 * value is generated when left empty).
 */
function formEnvironment(template: CatalogTemplate, globals: GlobalDefaults, globalsUsed: string[]): Record<string, string> {
  const environment: Record<string, string> = {};
  const portVariables = new Set(Object.values(template.portVariables));
  for (const name of globalsUsed) {
    if (name === 'DOCKERNETWORK' || name === 'DOMAIN') continue;
    environment[name] = globals[name as keyof GlobalDefaults];
  }
  for (const variable of Object.values(template.variables)) {
    if (portVariables.has(variable.name)) continue;
    environment[variable.name] = variable.type === 'secret' ? '' : expandGlobals(variable.default ?? '', globals);
  }
  return environment;
}

function buildAppView(template: CatalogTemplate, globals: GlobalDefaults): App {
  const values = listingValues(template, globals);
  const service = template.compose.services[mainServiceName(template)] ?? {};
  let ports: Record<string, number> = {};
  try {
    for (const mapping of resolvePorts(template.compose, values)) {
      if (mapping.hostPort !== null) ports[portKey(mapping)] = mapping.hostPort;
    }
  } catch (error) {
    if (!template.isForeign) throw new TemplateError(`ports: ${(error as Error).message}`);
    ports = {};
  }
  const globalsUsed = usedGlobals(template);
  const variables: AppVariable[] = [];
  for (const name of globalsUsed) {
    if (name === 'DOCKERNETWORK') continue;
    const spec = GLOBAL_VARIABLES[name as keyof typeof GLOBAL_VARIABLES];
    variables.push({ ...spec, default: globals[name as keyof GlobalDefaults], global: true });
  }
  for (const variable of Object.values(template.variables)) {
    variables.push({
      ...variable,
      default: variable.type === 'secret' || variable.default === null ? null : expandGlobals(variable.default, globals),
    });
  }
  const modes = template.modes;
  return {
    id: `${template.category}-${template.name}`,
    name: template.name,
    displayName: template.displayName,
    description: template.description,
    category: template.category,
    image: typeof service.image === 'string' ? interpolate(service.image, values) : '',
    ports,
    environment: formEnvironment(template, globals, globalsUsed),
    volumes: volumeStrings(service).map((volume) => interpolate(volume, values)),
    modes,
    requiresTraefik: template.requiresTraefik || !modes.includes('standard'),
    requiresAuthelia: template.requiresAuthelia || (modes.length > 0 && modes.every((mode) => mode === 'authelia')),
    variables,
    icon: template.icon,
    homepage: template.homepage,
    web: template.web,
    services: Object.keys(template.compose.services),
    privileges: template.privileges,
    source: template.source,
  };
}
