// Pure helpers for the deploy form: which fields to show, their initial values, validation, and
// the config body POST /deploy expects. Kept free of React so the rules are easy to read and test.
import type { AppVariable } from '../../../../contracts/catalog.js';
import type { DeployModeType } from '../../api/wire-types.js';

export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;

export const PROXY_MODES: DeployModeType[] = ['traefik', 'authelia'];

export function isProxyMode(mode: DeployModeType): boolean {
  return PROXY_MODES.includes(mode);
}

/** Template variables first; globals (TZ, APPFOLDER, …) are advanced, DOMAIN only matters behind the proxy. */
export function splitVariables(variables: AppVariable[], mode: DeployModeType): { main: AppVariable[]; advanced: AppVariable[] } {
  const main: AppVariable[] = [];
  const advanced: AppVariable[] = [];
  for (const variable of variables) {
    if (variable.name === 'DOMAIN') {
      if (isProxyMode(mode)) main.push(variable);
      continue;
    }
    if (variable.name === 'DOCKERNETWORK') continue;
    if (variable.global) advanced.push(variable);
    else main.push(variable);
  }
  return { main, advanced };
}

export function initialValues(variables: AppVariable[]): FormValues {
  const values: FormValues = {};
  for (const variable of variables) {
    if (variable.type === 'boolean') values[variable.name] = variable.default === true || variable.default === 'true';
    else values[variable.name] = variable.default === null || variable.default === undefined ? '' : String(variable.default);
  }
  if (!variables.some((variable) => variable.name === 'DOMAIN')) values.DOMAIN = '';
  return values;
}

export function domainVariable(variables: AppVariable[]): AppVariable {
  return (
    variables.find((variable) => variable.name === 'DOMAIN') ?? {
      name: 'DOMAIN',
      type: 'string',
      default: null,
      required: true,
      description: 'Your domain; the app is served at <app>.<domain> through Traefik',
      global: true,
    }
  );
}

const HOST_PATTERN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** The error message for one field, or null when its value is acceptable. */
export function validateValue(variable: AppVariable, value: FormValue | undefined): string | null {
  if (variable.type === 'boolean') return null;
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') {
    if (variable.type === 'secret') return null;
    return variable.required ? 'Required' : null;
  }
  switch (variable.type) {
    case 'port': {
      const port = Number(text);
      if (!/^\d+$/.test(text) || port < 1 || port > 65535) return 'A port between 1 and 65535';
      break;
    }
    case 'number':
      if (!Number.isFinite(Number(text))) return 'A number';
      break;
    case 'path':
      if (!text.startsWith('/')) return 'An absolute path, starting with /';
      if (text.split('/').includes('..')) return 'No .. segments';
      break;
    case 'url':
      try {
        const url = new URL(text);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'An http:// or https:// URL';
      } catch {
        return 'A full URL such as https://example.com';
      }
      break;
    case 'email':
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) return 'An email address';
      break;
    case 'enum':
      if (variable.values && !variable.values.includes(text)) return `One of ${variable.values.join(', ')}`;
      break;
    case 'string':
    case 'secret':
      break;
  }
  if (variable.name === 'DOMAIN' && !HOST_PATTERN.test(text)) return 'A host name such as example.com';
  if (variable.pattern) {
    try {
      if (!new RegExp(`^(?:${variable.pattern})$`).test(text)) return `Must match ${variable.pattern}`;
    } catch {
      // A pattern the browser cannot compile is the server's to enforce.
    }
  }
  return null;
}

export function validateAll(variables: AppVariable[], values: FormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const variable of variables) {
    const error = validateValue(variable, values[variable.name]);
    if (error) errors[variable.name] = error;
  }
  return errors;
}

/**
 * The config sent to POST /deploy: every template variable with a value (empty secrets are left
 * out so the server generates them), globals only when changed from their default.
 */
export function buildConfig(shown: AppVariable[], values: FormValues): Record<string, string | number | boolean> {
  const config: Record<string, string | number | boolean> = {};
  for (const variable of shown) {
    const value = values[variable.name];
    if (value === undefined) continue;
    if (variable.type === 'boolean') {
      if (variable.global && value === (variable.default === true || variable.default === 'true')) continue;
      config[variable.name] = value === true;
      continue;
    }
    const text = String(value).trim();
    if (text === '') continue;
    if (variable.global && variable.name !== 'DOMAIN' && text === String(variable.default ?? '')) continue;
    config[variable.name] = variable.type === 'port' || variable.type === 'number' ? Number(text) : text;
  }
  return config;
}

/** Host ports the form would publish: port variables' values. */
export function requestedPorts(shown: AppVariable[], values: FormValues): { name: string; port: number }[] {
  return shown
    .filter((variable) => variable.type === 'port')
    .map((variable) => ({ name: variable.name, port: Number(values[variable.name]) }))
    .filter((entry) => Number.isInteger(entry.port) && entry.port > 0 && entry.port <= 65535);
}

/** Maps server field errors (path "config.FOO" or "FOO") onto form fields. */
export function fieldErrorsFromServer(fields: { path: string; message: string }[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const name = field.path.replace(/^(body\.)?config\./, '');
    errors[name] = field.message;
  }
  return errors;
}
