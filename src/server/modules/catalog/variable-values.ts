// Checking one variable value against its declared type. Shared by template validation (defaults)
// and deploy-time validation (user input), so a default can never be something a user could not type.
import path from 'node:path';
import type { TemplateVariable } from './catalog-template.js';

export type ValueCheck = { ok: true; value: string } | { ok: false; message: string };

export const MAX_VALUE_LENGTH = 4096;

// Control characters would end a line of the .env file or smuggle terminal escapes into logs.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f\u2028\u2029]/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const fail = (message: string): ValueCheck => ({ ok: false, message });

function toText(raw: unknown): string | null {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  if (typeof raw === 'boolean') return String(raw);
  return null;
}

/** Whether a host path lies inside (or is) one of the given folders. */
export function isPathInside(candidate: string, folders: readonly string[]): boolean {
  const normalized = path.posix.normalize(candidate);
  return folders.some((folder) => {
    const base = path.posix.normalize(folder).replace(/\/+$/, '') || '/';
    return normalized === base || normalized.startsWith(base === '/' ? '/' : `${base}/`);
  });
}

/** Validates and normalizes one value; the result is the string written to .env. */
export function checkVariableValue(variable: Pick<TemplateVariable, 'type' | 'values' | 'pattern'>, raw: unknown): ValueCheck {
  const text = toText(raw);
  if (text === null) return fail('must be a string, number or boolean');
  if (text.length > MAX_VALUE_LENGTH) return fail(`must be at most ${MAX_VALUE_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(text)) return fail('must not contain line breaks or control characters');
  let value = text;
  switch (variable.type) {
    case 'string':
    case 'secret':
      break;
    case 'port': {
      if (!/^\d{1,5}$/.test(value.trim())) return fail('must be a port number between 1 and 65535');
      const port = Number(value.trim());
      if (port < 1 || port > 65535) return fail('must be a port number between 1 and 65535');
      value = String(port);
      break;
    }
    case 'number':
      if (!/^-?\d+(\.\d+)?$/.test(value.trim())) return fail('must be a number');
      value = value.trim();
      break;
    case 'boolean': {
      const lowered = value.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lowered)) value = 'true';
      else if (['false', '0', 'no', 'off'].includes(lowered)) value = 'false';
      else return fail('must be true or false');
      break;
    }
    case 'enum':
      if (!(variable.values ?? []).includes(value)) return fail(`must be one of ${(variable.values ?? []).join(', ')}`);
      break;
    case 'url': {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return fail('must be a URL such as https://example.com');
      }
      if (!['http:', 'https:'].includes(url.protocol)) return fail('must be an http or https URL');
      break;
    }
    case 'email':
      if (!EMAIL.test(value)) return fail('must be an email address');
      break;
    case 'path':
      if (!value.startsWith('/')) return fail('must be an absolute path');
      // ':' and ',' would add fields to a compose volume or mount specification.
      if (/[:,]/.test(value)) return fail('must not contain ":" or ","');
      if (value.split('/').includes('..')) return fail('must not contain ".." segments');
      value = path.posix.normalize(value);
      if (value.length > 1) value = value.replace(/\/+$/, '');
      break;
  }
  if (variable.pattern !== undefined && value !== '' && !new RegExp(`^(?:${variable.pattern})$`).test(value)) {
    return fail(`must match ${variable.pattern}`);
  }
  return { ok: true, value };
}
