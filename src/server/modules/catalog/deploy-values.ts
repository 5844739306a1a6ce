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
import { expandGlobals } from './template-parser.js';
import { checkVariableValue, isPathInside } from './variable-values.js';

export type DeployValueOptions = { isAdmin: boolean; mode: DeployModeType; globals: GlobalDefaults };

type FieldError = { path: string; message: string };

/** 32 URL-safe characters: no `$`, quote or backslash, so it is literal everywhere. */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

function isProvided(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * Validates userConfig against the template's variables and the globals, fills defaults and
 * generates empty secrets. Throws VALIDATION_FAILED (400, with fields) for unknown keys and bad
 * values, FORBIDDEN (403) for what only an admin may do: deploy an app that needs elevated
 * rights, point a path outside APPFOLDER/MEDIAFOLDER, or override an image.
 * The values are raw strings; render-compose writes them so compose reads them literally.
 */
export function resolveDeployValues(
  entry: CatalogEntry,
  userConfig: Record<string, unknown>,
  options: DeployValueOptions,
): Record<string, string> {
  const { template } = entry;
  const errors: FieldError[] = [];
  const forbidden: string[] = [];
  if (!template.modes.includes(options.mode)) {
    errors.push({ path: 'mode.type', message: `${entry.app.displayName} supports ${template.modes.join(', ')}` });
  }
  const provided: Record<string, string> = {};
  const rejected = new Set<string>();
  for (const [key, raw] of Object.entries(userConfig)) {
    if (key === 'DOCKERNETWORK') {
      errors.push({ path: `config.${key}`, message: 'is set by the deploy mode' });
      continue;
    }
    const variable: Omit<TemplateVariable, 'default'> | undefined = isGlobalVariable(key)
      ? GLOBAL_VARIABLES[key as keyof typeof GLOBAL_VARIABLES]
      : Object.prototype.hasOwnProperty.call(template.variables, key)
        ? template.variables[key]
        : undefined;
    if (!variable) {
      errors.push({ path: `config.${key}`, message: `is not a variable of ${entry.app.id}` });
      continue;
    }
    if (!isProvided(raw)) continue;
    const check = checkVariableValue(variable, raw);
    if (!check.ok) {
      errors.push({ path: `config.${key}`, message: check.message });
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
      errors.push({ path: `config.${variable.name}`, message: 'is required' });
    } else {
      values[variable.name] = '';
    }
  }
  if (errors.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Invalid deploy configuration',
      errors.map((error) => `${error.path}: ${error.message}`).join('; '),
      {
        fields: errors,
      },
    );
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
        forbidden.push(`config.${name} is outside ${allowedFolders.join(' and ')}`);
    }
    for (const name of template.imageVariables) {
      const variable = template.variables[name];
      const given = provided[name];
      if (given !== undefined && given !== (variable?.default ?? '')) forbidden.push(`config.${name} overrides the image`);
    }
  }
  if (forbidden.length > 0) throw new AppError('FORBIDDEN', 'Only an admin can deploy this configuration', forbidden.join('; '));
  return values;
}
