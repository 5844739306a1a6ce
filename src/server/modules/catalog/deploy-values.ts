// A user's deploy config → the complete, validated set of variable values for one deploy.
import { randomBytes } from 'node:crypto';
import type { DeployModeType } from '../../../contracts/deployments.js';
import { AppError } from '../../errors.js';
import {
  GLOBAL_VARIABLES,
  isGlobalVariable,
  PROXY_NETWORK_KEY,
  type CatalogEntry,
  type GlobalDefaults,
  type TemplateVariable,
} from './catalog-template.js';
import { acceptedConfigKeys, readDeployConfigKeys, type FieldError } from './deploy-config-keys.js';
import { expandGlobals } from './template-parser.js';
import { checkVariableValue, isPathInside } from './variable-values.js';

export type DeployValueOptions = {
  isAdmin: boolean;
  mode: DeployModeType;
  globals: GlobalDefaults;
  /** A redeploy's previous .env: a generated secret left empty keeps its value (a new database password would lock the app out of its data). */
  keptSecrets?: Readonly<Record<string, string>> | null;
};

export type ResolvedDeploy = {
  /** Every variable's value, as .env gets it. */
  values: Record<string, string>;
  /** The main service's container_name; null for compose's own name. */
  containerName: string | null;
};

/** Docker's rule for container names (2 or more characters), capped like the container ids our routes accept. */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,127}$/;
const CONTAINER_NAME_RULE = 'must be a container name: 2 to 128 letters, digits, _ . or -, starting with a letter or digit';

/** 32 URL-safe characters: no `$`, quote or backslash, so it is literal everywhere. */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

function isProvided(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * Validates userConfig against the template's variables and the globals, fills defaults and
 * generates empty secrets. Keys are read as readDeployConfigKeys reads them (any letter case,
 * port_<containerPort>, containerName). Throws VALIDATION_FAILED (400, with fields) for unknown
 * keys and bad values, FORBIDDEN (403) for what only an admin may do: deploy an app that needs
 * elevated rights, point a path outside APPFOLDER/MEDIAFOLDER, or override an image.
 * The values are raw strings; render-compose writes them so compose reads them literally.
 */
export function resolveDeployValues(entry: CatalogEntry, userConfig: Record<string, unknown>, options: DeployValueOptions): ResolvedDeploy {
  const { template } = entry;
  const read = readDeployConfigKeys(entry, userConfig);
  const pathOf = (name: string): string => `config.${Object.hasOwn(read.givenAs, name) ? read.givenAs[name] : name}`;
  const errors: FieldError[] = [...read.errors];
  const forbidden: string[] = [];
  if (!template.modes.includes(options.mode)) {
    errors.push({ path: 'mode.type', message: `${entry.app.displayName} supports ${template.modes.join(', ')}` });
  }
  let containerName: string | null = null;
  if (read.containerName !== null) {
    if (typeof read.containerName === 'string' && CONTAINER_NAME.test(read.containerName)) containerName = read.containerName;
    else errors.push({ path: 'config.containerName', message: CONTAINER_NAME_RULE });
  }
  for (const variable of Object.values(template.variables)) {
    const kept = options.keptSecrets?.[variable.name];
    if (variable.type === 'secret' && kept && !isProvided(read.config[variable.name])) read.config[variable.name] = kept;
  }
  const provided: Record<string, string> = {};
  const rejected = new Set<string>();
  for (const [key, raw] of Object.entries(read.config)) {
    if (key === 'DOCKERNETWORK') {
      errors.push({ path: pathOf(key), message: 'is set by the deploy mode' });
      continue;
    }
    const variable: Omit<TemplateVariable, 'default'> | undefined = isGlobalVariable(key)
      ? GLOBAL_VARIABLES[key as keyof typeof GLOBAL_VARIABLES]
      : template.variables[key];
    if (!variable) continue;
    if (!isProvided(raw)) continue;
    const check = checkVariableValue(variable, raw);
    if (!check.ok) {
      errors.push({ path: pathOf(key), message: check.message });
      rejected.add(key);
      continue;
    }
    provided[key] = check.value;
  }

  const globals: Record<string, string> = { ...options.globals };
  for (const name of Object.keys(GLOBAL_VARIABLES)) {
    if (provided[name] !== undefined) globals[name] = provided[name];
  }
  const values: Record<string, string> = { ...globals, DOCKERNETWORK: options.mode === 'standard' ? 'default' : PROXY_NETWORK_KEY };
  for (const variable of Object.values(template.variables)) {
    const given = provided[variable.name];
    if (given !== undefined) {
      values[variable.name] = given;
    } else if (variable.type === 'secret' && !variable.default) {
      values[variable.name] = generateSecret();
    } else if (variable.default !== null) {
      values[variable.name] = expandGlobals(variable.default, globals);
    } else if (variable.required && !rejected.has(variable.name)) {
      errors.push({ path: pathOf(variable.name), message: 'is required' });
    } else {
      values[variable.name] = '';
    }
  }
  if (errors.length > 0) {
    const problems = errors.map((error) => `${error.path}: ${error.message}`).join('; ');
    // Listed once, not as a field each: the fields name what is wrong, this says what would do.
    const details = read.hasUnknownKey ? `${problems}. Accepted keys (any letter case): ${acceptedConfigKeys(entry).join(', ')}` : problems;
    throw new AppError('VALIDATION_FAILED', 'Invalid deploy configuration', details, { fields: errors });
  }

  if (!options.isAdmin) {
    if (template.privileges.length > 0)
      forbidden.push(`${entry.app.displayName} needs elevated rights (${template.privileges.join('; ')})`);
    const allowedFolders = [options.globals.APPFOLDER, options.globals.MEDIAFOLDER];
    const pathVariables = [
      ...['APPFOLDER', 'MEDIAFOLDER'].map((name) => ({ name })),
      ...Object.values(template.variables).filter((variable) => variable.type === 'path'),
    ];
    for (const { name } of pathVariables) {
      const given = provided[name];
      if (given !== undefined && !isPathInside(given, allowedFolders))
        forbidden.push(`${pathOf(name)} is outside ${allowedFolders.join(' and ')}`);
    }
    for (const name of template.imageVariables) {
      const variable = template.variables[name];
      const given = provided[name];
      if (given !== undefined && given !== (variable?.default ?? '')) forbidden.push(`${pathOf(name)} overrides the image`);
    }
  }
  if (forbidden.length > 0) throw new AppError('FORBIDDEN', 'Only an admin can deploy this configuration', forbidden.join('; '));
  return { values, containerName };
}
