// Unit tests of the deploy form's rules: which fields show, how values are checked, and the
// config body sent to POST /deploy.
import { describe, expect, it } from 'vitest';
import type { AppVariable } from '../../src/contracts/catalog.js';
import {
  buildConfig,
  fieldErrorsFromServer,
  initialValues,
  requestedPorts,
  splitVariables,
  validateValue,
} from '../../src/web/src/pages/catalog/deploy-form.js';

const variable = (name: string, type: AppVariable['type'], extra: Partial<AppVariable> = {}): AppVariable => ({
  name,
  type,
  default: null,
  required: false,
  description: '',
  ...extra,
});

const VARIABLES: AppVariable[] = [
  variable('WEB_PORT', 'port', { default: 8080 }),
  variable('WEB_SECRET', 'secret'),
  variable('DEBUG', 'boolean', { default: false }),
  variable('TZ', 'string', { default: 'UTC', global: true }),
  variable('DOMAIN', 'string', { default: 'localhost', global: true }),
  variable('DOCKERNETWORK', 'string', { default: 'proxy', global: true }),
];

describe('deploy form rules', () => {
  it('shows the domain only in proxy modes and puts globals under advanced', () => {
    const standard = splitVariables(VARIABLES, 'standard');
    expect(standard.main.map((item) => item.name)).toEqual(['WEB_PORT', 'WEB_SECRET', 'DEBUG']);
    expect(standard.advanced.map((item) => item.name)).toEqual(['TZ']);
    expect(splitVariables(VARIABLES, 'traefik').main.map((item) => item.name)).toEqual(['WEB_PORT', 'WEB_SECRET', 'DEBUG', 'DOMAIN']);
  });

  it('starts from the declared defaults', () => {
    expect(initialValues(VARIABLES)).toEqual({
      WEB_PORT: '8080',
      WEB_SECRET: '',
      DEBUG: false,
      TZ: 'UTC',
      DOMAIN: 'localhost',
      DOCKERNETWORK: 'proxy',
    });
  });

  it('checks values by their declared type', () => {
    expect(validateValue(variable('P', 'port'), '70000')).toBe('A port between 1 and 65535');
    expect(validateValue(variable('P', 'port'), '8080')).toBeNull();
    expect(validateValue(variable('D', 'path'), 'relative/dir')).toBe('An absolute path, starting with /');
    expect(validateValue(variable('D', 'path'), '/opt/appdata/../etc')).toBe('No .. segments');
    expect(validateValue(variable('U', 'url'), 'ftp://host')).toBe('An http:// or https:// URL');
    expect(validateValue(variable('E', 'email'), 'someone@example.com')).toBeNull();
    expect(validateValue(variable('M', 'enum', { values: ['a', 'b'] }), 'c')).toBe('One of a, b');
    expect(validateValue(variable('S', 'string', { pattern: '[a-z]+' }), 'ABC')).toBe('Must match [a-z]+');
    expect(validateValue(variable('R', 'string', { required: true }), '  ')).toBe('Required');
    expect(validateValue(variable('DOMAIN', 'string'), 'not a host')).toBe('A host name such as example.com');
  });

  it('lets an empty secret through so the server generates it', () => {
    expect(validateValue(variable('S', 'secret', { required: true }), '')).toBeNull();
  });

  it('sends typed template values, leaves out empty secrets and unchanged globals', () => {
    const values = { ...initialValues(VARIABLES), WEB_PORT: '18080', DEBUG: true, DOMAIN: 'example.com' };
    expect(buildConfig(VARIABLES, values)).toEqual({ WEB_PORT: 18080, DEBUG: true, DOMAIN: 'example.com' });
    expect(buildConfig(VARIABLES, { ...values, TZ: 'Europe/Berlin' })).toMatchObject({ TZ: 'Europe/Berlin' });
  });

  it('lists the host ports the form would publish', () => {
    expect(requestedPorts(VARIABLES, { WEB_PORT: '18080' })).toEqual([{ name: 'WEB_PORT', port: 18080 }]);
    expect(requestedPorts(VARIABLES, { WEB_PORT: 'abc' })).toEqual([]);
  });

  it('maps server field errors onto form fields', () => {
    expect(
      fieldErrorsFromServer([
        { path: 'body.config.WEB_PORT', message: 'is in use' },
        { path: 'config.TZ', message: 'is unknown' },
      ]),
    ).toEqual({
      WEB_PORT: 'is in use',
      TZ: 'is unknown',
    });
  });
});
