// What a loaded template is: the compose document, its x-homelabarr metadata, and the rules for
// the x-homelabarr block itself (docs/catalog-authoring.md is the prose version).
import { z } from 'zod';
import type { App } from '../../../contracts/catalog.js';
import { VariableTypeSchema, type VariableType } from '../../../contracts/catalog.js';
import { DeployModeTypeSchema, type DeployModeType } from '../../../contracts/deployments.js';
import type { Config } from '../../config.js';

export type CatalogSource = App['source'];

/** A service of a compose file, as parsed. */
export type ComposeService = Record<string, unknown>;
/** A compose file as parsed: at least a mapping of services. */
export type ComposeDocument = Record<string, unknown> & { services: Record<string, ComposeService> };

export type TemplateVariable = {
  name: string;
  type: VariableType;
  /** The default as a string (numbers and booleans stringified); null when there is none. */
  default: string | null;
  required: boolean;
  description: string;
  values?: string[];
  pattern?: string;
};

export type WebEndpoint = { service: string; port: number };

export type CatalogTemplate = {
  /** Absolute path of the template file. */
  file: string;
  source: CatalogSource;
  /** True for a plain compose file without x-homelabarr, whose metadata was inferred. */
  isForeign: boolean;
  category: string;
  name: string;
  /** The compose document without x-homelabarr, other top-level x-* keys and the obsolete `version`. */
  compose: ComposeDocument;
  displayName: string;
  description: string;
  homepage: string;
  icon: string;
  web: WebEndpoint | null;
  modes: DeployModeType[];
  apiPaths: string[];
  /** The variables the template declares (inferred for foreign templates), by name. */
  variables: Record<string, TemplateVariable>;
  /** Why the app needs elevated rights (privileged, host network, docker.sock, devices, capabilities); empty when it does not. */
  privileges: string[];
  /** Whether x-homelabarr.privileges says why (bundled templates must, when privileges are detected). */
  hasDeclaredPrivileges: boolean;
  /** Variables used in an `image:` field: changing them is an image override, which needs an admin. */
  imageVariables: string[];
  /** Foreign templates only: their own Traefik labels asked for Traefik / Authelia. */
  requiresTraefik: boolean;
  requiresAuthelia: boolean;
  /** The variable that sets the host port of each container port ("8989", "53/udp"), where one does. */
  portVariables: Record<string, string>;
};

/** The service a listing describes and a deploy's containerName names: the web service, else the first. */
export function mainServiceName(template: Pick<CatalogTemplate, 'web' | 'compose'>): string {
  return template.web?.service ?? Object.keys(template.compose.services)[0] ?? '';
}

export type CatalogEntry = { app: App; template: CatalogTemplate };

/** The global variables every template may use without declaring them. */
export const GLOBAL_VARIABLE_NAMES = ['ID', 'TZ', 'UMASK', 'APPFOLDER', 'MEDIAFOLDER', 'DOMAIN', 'RESTARTAPP', 'DOCKERNETWORK'] as const;
export type GlobalVariableName = (typeof GLOBAL_VARIABLE_NAMES)[number];

/** Globals a user may set at deploy time (DOCKERNETWORK is set by the deploy mode). */
export type GlobalDefaults = Record<Exclude<GlobalVariableName, 'DOCKERNETWORK'>, string>;

export function isGlobalVariable(name: string): name is GlobalVariableName {
  return (GLOBAL_VARIABLE_NAMES as readonly string[]).includes(name);
}

export function globalDefaultsFromConfig(config: Config): GlobalDefaults {
  return {
    ID: String(config.userId),
    TZ: config.timezone,
    UMASK: config.umask.toString(8).padStart(3, '0'),
    APPFOLDER: config.appFolder,
    MEDIAFOLDER: config.mediaFolder,
    DOMAIN: config.domain,
    RESTARTAPP: config.restartPolicy,
  };
}

/** The compose network key a service joins in proxy modes; DOCKERNETWORK names it, or `default` in standard mode. */
export const PROXY_NETWORK_KEY = 'proxy';

/** How each global is validated when a user overrides it at deploy time. */
export const GLOBAL_VARIABLES: Record<Exclude<GlobalVariableName, 'DOCKERNETWORK'>, Omit<TemplateVariable, 'default'>> = {
  ID: { name: 'ID', type: 'string', required: true, description: 'User and group id the app runs as (PUID/PGID)', pattern: '\\d{1,10}' },
  TZ: { name: 'TZ', type: 'string', required: true, description: 'Time zone, e.g. Europe/Berlin', pattern: '[A-Za-z0-9_+\\-/]{1,64}' },
  UMASK: { name: 'UMASK', type: 'string', required: true, description: 'File creation mask, e.g. 002', pattern: '[0-7]{3,4}' },
  APPFOLDER: { name: 'APPFOLDER', type: 'path', required: true, description: 'Host folder holding each app’s configuration' },
  MEDIAFOLDER: { name: 'MEDIAFOLDER', type: 'path', required: true, description: 'Host folder holding media and downloads' },
  DOMAIN: {
    name: 'DOMAIN',
    type: 'string',
    required: true,
    description: 'Domain the proxy modes route <app>.<domain> under',
    pattern: '[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?',
  },
  RESTARTAPP: {
    name: 'RESTARTAPP',
    type: 'enum',
    required: true,
    description: 'Restart policy',
    values: ['no', 'always', 'unless-stopped', 'on-failure'],
  },
};

/** Variable names compose itself reads from .env, or that belong to the Docker CLI: never template variables. */
export const RESERVED_VARIABLE_PREFIXES = ['COMPOSE_', 'DOCKER_', 'BUILDKIT_'];

const VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const VariableSpecSchema = z
  .strictObject({
    type: VariableTypeSchema.default('string'),
    default: scalar.nullable().optional(),
    required: z.boolean().default(false),
    description: z.string().default(''),
    values: z
      .array(z.union([z.string(), z.number()]).transform(String))
      .min(1)
      .optional(),
    pattern: z
      .string()
      .refine((pattern) => {
        try {
          new RegExp(pattern);
          return true;
        } catch {
          return false;
        }
      }, 'must be a valid regular expression')
      .optional(),
  })
  .refine((spec) => spec.type !== 'enum' || (spec.values?.length ?? 0) > 0, { message: 'an enum variable needs values', path: ['values'] });

const privilegesSchema = z
  .union([z.string().min(1), z.array(z.string().min(1)), z.record(z.string(), z.string().min(1))])
  .transform((value) =>
    typeof value === 'string' ? [value] : Array.isArray(value) ? value : Object.entries(value).map(([what, why]) => `${what}: ${why}`),
  );

export const HomelabarrMetaSchema = z.strictObject({
  displayName: z.string().trim().min(1),
  description: z.string().trim().min(1),
  homepage: z.string().default(''),
  icon: z.string().default(''),
  web: z
    .strictObject({ service: z.string().min(1), port: z.number().int().min(1).max(65535) })
    .nullable()
    .optional(),
  modes: z.array(DeployModeTypeSchema).min(1).optional(),
  apiPaths: z.array(z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be a URL path such as /api')).default([]),
  variables: z.record(z.string().regex(VARIABLE_NAME, 'variable names are UPPER_SNAKE_CASE'), VariableSpecSchema).default({}),
  privileges: privilegesSchema.optional(),
});
export type HomelabarrMeta = z.infer<typeof HomelabarrMetaSchema>;

export function toTemplateVariable(name: string, spec: z.infer<typeof VariableSpecSchema>): TemplateVariable {
  const variable: TemplateVariable = {
    name,
    type: spec.type,
    default: spec.default === undefined || spec.default === null ? null : String(spec.default),
    required: spec.required,
    description: spec.description,
  };
  if (spec.values) variable.values = spec.values;
  if (spec.pattern !== undefined) variable.pattern = spec.pattern;
  return variable;
}

export function isReservedVariableName(name: string): boolean {
  return RESERVED_VARIABLE_PREFIXES.some((prefix) => name.startsWith(prefix));
}
