// Example values made from JSON Schemas, so every body, response and parameter in the OpenAPI
// document has one even when its zod schema declares none. Declared examples, consts, defaults
// and enums win; otherwise a value is chosen from the format, the pattern and the field's name
// (an `appId` looks like `mediaserver-plex`, a `containerId` like `plex`).

export type JsonSchema = { [key: string]: unknown };

const UUID = '550e8400-e29b-41d4-a716-446655440000';
const MAX_DEPTH = 8;

/** Candidate strings by field name, most specific first; the first that fits the schema wins. */
const NAME_HINTS: [RegExp, string[]][] = [
  [/^appid$|^app_id$/i, ['mediaserver-plex']],
  [/timestamp|date|^since$/i, ['2025-01-15T10:30:00.000Z', '2025-01-15']],
  [/[a-z]At$/, ['2025-01-15T10:30:00.000Z']],
  [/containerid/i, ['plex']],
  [/deploymentid|clientid|requestid/i, [UUID]],
  [/sessionid/i, [UUID, 'ses_0123456789abcdef']],
  [/keyid/i, ['key_0123456789abcdef']],
  [/^userid$|^user_?id$/i, ['user_abc123']],
  [/^id$/i, ['user_abc123', 'plex', UUID]],
  [/username|^user$|owner|requestedby/i, ['admin']],
  [/password/i, ['correct-horse-battery-staple']],
  [/^token$|access_token/i, ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzaWQiOiJleGFtcGxlIn0.c2lnbmF0dXJl']],
  [/^key$|apikey/i, [`hlr_${'0123456789abcdef'.repeat(4)}`]],
  [/email/i, ['admin@homelabarr.local']],
  [/provider/i, ['webdav']],
  [/image/i, ['lscr.io/linuxserver/plex:latest']],
  [/category/i, ['mediaserver']],
  [/displayname/i, ['Plex']],
  [/^name$/i, ['plex']],
  [/label/i, ['Home Assistant']],
  [/project/i, ['hlr-mediaserver-plex']],
  [/service/i, ['plex']],
  [/step/i, ['pull']],
  [/state/i, ['running']],
  [/folder|path|dir/i, ['/opt/appdata']],
  [/url|endpoint|homepage|icon/i, ['https://plex.example.com']],
  [/domain|host/i, ['example.com']],
  [/version/i, ['1.0.0']],
  [/tz|timezone/i, ['Europe/Berlin']],
  [/message|details|summary|description|error|reason/i, ['Deployment of mediaserver-plex started']],
  [/logs?|output|line/i, ['[ls.io-init] done.']],
  [/code/i, ['abc123']],
];

const GENERIC_STRINGS = ['example', 'abc123', UUID, 'key_0123456789abcdef', 'user_abc123', 'mediaserver-plex', '8080', 'a'];

const NUMBER_HINTS: [RegExp, number][] = [
  [/port/i, 8080],
  [/percent|progress|cpu/i, 42],
  [/bytes|memory|usage|limit|rx|tx|read|write|size/i, 104857600],
  [/uptime|seconds|latency|duration|timeout/i, 3600],
  [/created|timestamp|time/i, 1736937000],
  [/total|count|apps|lines|tail|limit|offset|pids/i, 3],
];

export type ExampleOptions = {
  /** Resolves a local $ref (#/components/schemas/X). */
  resolveRef?: (ref: string) => JsonSchema | null;
  /** The property or parameter name the schema belongs to. */
  name?: string;
  /** Leave out optional properties (the smallest valid value, when the full one breaks a refinement). */
  isRequiredOnly?: boolean;
};

function compilePattern(pattern: unknown): RegExp | null {
  if (typeof pattern !== 'string') return null;
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return null;
  }
}

function fitsString(schema: JsonSchema, value: string): boolean {
  const pattern = compilePattern(schema.pattern);
  if (pattern && !pattern.test(value)) return false;
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
  return true;
}

function stringExample(schema: JsonSchema, name: string): string {
  switch (schema.format) {
    case 'date-time':
      return '2025-01-15T10:30:00.000Z';
    case 'date':
      return '2025-01-15';
    case 'email':
      return 'admin@homelabarr.local';
    case 'uri':
    case 'url':
      return 'https://example.com';
    case 'uuid':
      return UUID;
    default:
      break;
  }
  const hinted = NAME_HINTS.filter(([hint]) => hint.test(name)).flatMap(([, values]) => values);
  for (const candidate of [...hinted, ...GENERIC_STRINGS]) if (fitsString(schema, candidate)) return candidate;
  const first = hinted[0] ?? 'example';
  if (typeof schema.minLength === 'number' && first.length < schema.minLength) return first.padEnd(schema.minLength, 'x');
  return typeof schema.maxLength === 'number' ? first.slice(0, schema.maxLength) : first;
}

function numberExample(schema: JsonSchema, name: string, isInteger: boolean): number {
  let value = NUMBER_HINTS.find(([hint]) => hint.test(name))?.[1] ?? 1;
  const minimum =
    typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : null;
  const maximum =
    typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : null;
  if (minimum !== null && value < minimum) value = minimum;
  if (maximum !== null && value > maximum) value = maximum;
  return isInteger ? Math.round(value) : value;
}

function firstType(schema: JsonSchema): string | undefined {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return (schema.type as string[]).find((type) => type !== 'null') ?? 'null';
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

function build(schema: JsonSchema, options: ExampleOptions, depth: number): unknown {
  const name = options.name ?? '';
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('example' in schema) return schema.example;
  if ('const' in schema) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum.find((value) => value !== null) ?? schema.enum[0];
  if (typeof schema.$ref === 'string') {
    const target = options.resolveRef?.(schema.$ref);
    return target && depth < MAX_DEPTH ? build(target, options, depth + 1) : {};
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alternatives = schema[key];
    if (Array.isArray(alternatives) && alternatives.length > 0) {
      const choice =
        (alternatives as JsonSchema[]).find((alternative) => firstType(alternative) !== 'null') ?? (alternatives[0] as JsonSchema);
      return build(choice, options, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf)) {
    const merged: Record<string, unknown> = {};
    for (const part of schema.allOf as JsonSchema[]) {
      const value = build(part, options, depth + 1);
      if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(merged, value);
    }
    return merged;
  }
  switch (firstType(schema)) {
    case 'object': {
      if (depth >= MAX_DEPTH) return {};
      const result: Record<string, unknown> = {};
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
      for (const [property, propertySchema] of Object.entries(properties)) {
        if (options.isRequiredOnly === true && !required.has(property)) continue;
        result[property] = build(propertySchema, { ...options, name: property }, depth + 1);
      }
      const additional = schema.additionalProperties;
      if (Object.keys(properties).length === 0 && additional && typeof additional === 'object') {
        const keySchema = (schema.propertyNames ?? {}) as JsonSchema;
        const key = stringExample(keySchema, name || 'key');
        result[key] = build(additional as JsonSchema, { ...options, name: key }, depth + 1);
      }
      return result;
    }
    case 'array': {
      if (depth >= MAX_DEPTH) return [];
      const items = schema.items;
      if (Array.isArray(schema.prefixItems)) return (schema.prefixItems as JsonSchema[]).map((item) => build(item, options, depth + 1));
      return items && typeof items === 'object'
        ? [build(items as JsonSchema, { ...options, name: name.replace(/s$/, '') }, depth + 1)]
        : [];
    }
    case 'string':
      return stringExample(schema, name);
    case 'integer':
      return numberExample(schema, name, true);
    case 'number':
      return numberExample(schema, name, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case undefined:
    default:
      return name ? stringExample({}, name) : null;
  }
}

export function exampleFromSchema(schema: JsonSchema, options: ExampleOptions = {}): unknown {
  return build(schema, options, 0);
}
