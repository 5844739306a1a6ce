// The fuzzer's hostile inputs and how they are combined with each route. Every string that could
// run a command names the canary file: if any shell, compose interpolation or template engine ever
// executed one, the file would exist afterwards.
import type { RawRequest } from './raw-http.js';
import type { RegisteredRoute } from './route-table.js';
import { fillUrl, paramNames, type Sample } from './route-samples.js';

export type FuzzCase = {
  group: string;
  route: string;
  description: string;
  port: 'api' | 'web';
  request: RawRequest;
  /** Why the connection may end without an answer (anything else that does is a failure). */
  mayGoUnanswered?: string;
};

/** Strings that try to run something; each would create `canary`. */
export function commandInjections(canary: string): string[] {
  return [
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `;touch ${canary};`,
    `| touch ${canary}`,
    `&& touch ${canary}`,
    `'; touch ${canary}; '`,
    `"; touch ${canary}; "`,
    `$(IFS=_;cmd=touch_${canary};$cmd)`,
    `\${IFS}touch\${IFS}${canary}`,
    `--help; touch ${canary}`,
  ];
}

/** Strings aimed at compose and YAML: interpolation, references, structure. */
export const COMPOSE_INJECTIONS = [
  '${DOCKER_HOST}',
  '${PATH:-/tmp}',
  '${HLR_UNSET:?boom}',
  '$$(id)',
  '$HOME',
  'x\nservices:\n  evil:\n    image: busybox\n    privileged: true',
  'x\r\nPATH=/tmp',
  'a: b',
  '- item',
  '*anchor',
  '&anchor x',
  '!!binary aGVsbG8=',
  '{ "a": 1 }',
  '[1, 2]',
  '| multi',
  '> folded',
  '# comment',
  '\'single\' "double" \\back',
  '{{ .Env.PATH }}',
  '<%= 7*7 %>',
];

/** Other shapes of bad strings. */
export const ODD_STRINGS = [
  '',
  ' ',
  'a'.repeat(5000),
  'ℌ𝔢𝔩𝔩𝔬 ünïcödé 漢字 😀',
  '\u202Egnp.exe',
  '\uFEFFbom',
  'a\u0000b',
  '\u0000',
  '\u001b[31mred\u001b[0m',
  '\ud800',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/var/run/docker.sock',
  "' OR '1'='1",
  '<script>alert(1)</script>',
  '-rf',
  '--privileged',
];

export function hostileStrings(canary: string): string[] {
  return [...commandInjections(canary), ...COMPOSE_INJECTIONS, ...ODD_STRINGS];
}

/** Path segments as sent on the wire (already encoded where a raw character would not be a valid request line). */
export function hostileSegments(canary: string): string[] {
  const encoded = [
    ...commandInjections(canary),
    '${DOCKER_HOST}',
    'ℌ𝔢𝔩𝔩𝔬😀',
    '\u202Egnp',
    '<script>',
    'a b',
    '?x=1',
    '#frag',
    'x\nservices:',
  ].map((value) => encodeURIComponent(value));
  return [
    ...encoded,
    '..',
    '.',
    '...',
    '../../etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '%252e%252e%252f',
    '..%5c..%5cwindows',
    '%c0%ae%c0%ae',
    '%00',
    'abc%00def',
    '%0a',
    '%0d%0aSet-Cookie:%20x=1',
    '%ZZ',
    '%',
    '%E0%A4%A',
    '-rf',
    '--help',
    '-H%20unix:%2F%2F%2Fvar%2Frun%2Fdocker.sock',
    'a'.repeat(129),
    'a'.repeat(4000),
    '__proto__',
    'constructor',
    '0',
    '-1',
    '9'.repeat(40),
    '*',
    'hlrtest-web%2F..%2F..%2Fetc',
  ];
}

/** Bad JSON values for one field. */
export function hostileValues(canary: string): unknown[] {
  return [
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    [],
    ['a', 1],
    {},
    { $ne: null },
    { nested: { deeper: [{ x: 1 }] } },
    'a'.repeat(200_000),
    ...hostileStrings(canary),
  ];
}

/** Whole bodies that are not what any route takes, sent as application/json. */
export const MALFORMED_BODIES: { description: string; body: string; contentType?: string }[] = [
  { description: 'unterminated object', body: '{' },
  { description: 'bare closing brace', body: '}' },
  { description: 'missing value', body: '{"a":}' },
  { description: 'trailing comma', body: '{"a":1,}' },
  { description: 'single quotes', body: "{'a':1}" },
  { description: 'unquoted key', body: '{a:1}' },
  { description: 'unterminated array', body: '[' },
  { description: 'NaN', body: 'NaN' },
  { description: 'undefined', body: 'undefined' },
  { description: 'null', body: 'null' },
  { description: 'a string', body: '"string"' },
  { description: 'a number', body: '12345' },
  { description: 'true', body: 'true' },
  { description: 'an array', body: '[1,2,3]' },
  { description: 'BOM then object', body: '\uFEFF{}' },
  { description: 'lone surrogate escape', body: '{"a":"\\ud800"}' },
  { description: 'escaped null byte', body: '{"a":"\\u0000"}' },
  { description: '__proto__ pollution', body: '{"__proto__":{"isAdmin":true,"role":"admin"}}' },
  { description: 'constructor.prototype pollution', body: '{"constructor":{"prototype":{"isAdmin":true}}}' },
  { description: 'duplicate keys', body: '{"a":1,"a":2}' },
  { description: 'deeply nested arrays', body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
  { description: 'deeply nested objects', body: `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}` },
  { description: 'huge number', body: `{"a":${'9'.repeat(5000)}}` },
  { description: 'empty body', body: '' },
  { description: 'whitespace body', body: '   \n  ' },
  { description: 'JSON as text/plain', body: '{"a":1}', contentType: 'text/plain' },
  { description: 'form encoding', body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
  {
    description: 'multipart',
    body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
    contentType: 'multipart/form-data; boundary=x',
  },
  {
    description: 'XML',
    body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    contentType: 'application/xml',
  },
  { description: 'YAML', body: 'a: !!python/object/apply:os.system ["id"]', contentType: 'application/yaml' },
  { description: 'JSON in UTF-16', body: '{"a":1}', contentType: 'application/json; charset=utf-16' },
  { description: 'odd charset', body: '{"a":1}', contentType: 'application/json; charset=x-unknown' },
  { description: 'upper-case type', body: '{"a":1}', contentType: 'APPLICATION/JSON' },
  { description: 'type with junk parameters', body: '{"a":1}', contentType: 'application/json;;;; boundary="' },
  { description: 'body over 1 MiB', body: JSON.stringify({ a: 'x'.repeat(1_100_000) }) },
];

export type FuzzContext = {
  canary: string;
  /** Headers every fuzz request carries unless a case says otherwise (the admin API key). */
  auth: Record<string, string>;
  sampleOf(route: RegisteredRoute): Sample;
};

function request(route: RegisteredRoute, url: string, context: FuzzContext, extra: Partial<RawRequest> = {}, body?: unknown): RawRequest {
  const hasBody = body !== undefined;
  return {
    method: route.method,
    target: url,
    headers: { ...context.auth, ...(hasBody ? { 'content-type': 'application/json' } : {}), ...extra.headers },
    ...(hasBody ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    ...(extra.rawHeaderLines ? { rawHeaderLines: extra.rawHeaderLines } : {}),
  };
}

const describeValue = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

/** Every path parameter of the route, one hostile segment at a time. */
export function pathCases(route: RegisteredRoute, context: FuzzContext): FuzzCase[] {
  const sample = context.sampleOf(route);
  const cases: FuzzCase[] = [];
  for (const name of paramNames(route.url)) {
    for (const segment of hostileSegments(context.canary)) {
      const url = fillUrl(route.url, { ...sample.params, [name]: segment }, sample.query);
      cases.push({
        group: 'path',
        route: route.key,
        description: `${name}=${segment.slice(0, 60)}`,
        port: 'api',
        request: request(route, url, context, {}, sample.body),
      });
    }
  }
  return cases;
}

/** The route's own query parameters with hostile values, plus pollution and unknown keys. */
export function queryCases(route: RegisteredRoute, context: FuzzContext): FuzzCase[] {
  const sample = context.sampleOf(route);
  const base = fillUrl(route.url, sample.params);
  const values = [
    '',
    '-1',
    '0',
    '1e309',
    'NaN',
    'Infinity',
    '0x10',
    '99999999999999999999',
    'yes',
    'TRUE',
    '%00',
    'a%00b',
    '..%2F..%2Fetc',
    '[]',
    '{}',
    '%7B%22a%22%3A1%7D',
    'a'.repeat(10_000),
    ...commandInjections(context.canary).slice(0, 4).map(encodeURIComponent),
    encodeURIComponent('${DOCKER_HOST}'),
    encodeURIComponent('ℌ😀'),
  ];
  const queries: string[] = [];
  for (const key of route.queryKeys) {
    for (const value of values) queries.push(`${key}=${value}`);
    queries.push(`${key}=1&${key}=2`, `${key}[]=1`, `${key}[a]=1`, key);
  }
  queries.push(
    '__proto__[polluted]=1',
    'constructor[prototype][polluted]=1',
    '__proto__.polluted=1',
    `unknown=${'x'.repeat(100)}`,
    '&&&',
    '=',
    '%ZZ=1',
    'a=%ZZ',
    `${'k'.repeat(2000)}=v`,
  );
  return queries.map((query) => ({
    group: 'query',
    route: route.key,
    description: query.slice(0, 80),
    port: 'api' as const,
    request: request(route, `${base}?${query}`, context, {}, sample.body),
  }));
}

/** Malformed bodies, wrong types in each field, and extra keys, for routes that take a body (and the ones that do not). */
export function bodyCases(route: RegisteredRoute, context: FuzzContext): FuzzCase[] {
  if (route.method === 'GET' || route.method === 'OPTIONS') return [];
  const sample = context.sampleOf(route);
  const url = fillUrl(route.url, sample.params, sample.query);
  const cases: FuzzCase[] = MALFORMED_BODIES.map((malformed) => ({
    group: 'body',
    route: route.key,
    description: malformed.description,
    port: 'api' as const,
    request: request(route, url, context, { headers: { 'content-type': malformed.contentType ?? 'application/json' } }, malformed.body),
    // The 413 goes out before the body is read; when the server closes while the client is still
    // sending, TCP may reset the connection and drop the answer on the client's side.
    ...(malformed.body.length > 1024 * 1024
      ? { mayGoUnanswered: 'the server answered 413 and closed while the body was still arriving' }
      : {}),
  }));
  const body = sample.body ?? {};
  const fields = Object.keys(body).length > 0 ? Object.keys(body) : ['unexpected'];
  for (const field of fields) {
    for (const value of hostileValues(context.canary)) {
      cases.push({
        group: 'body',
        route: route.key,
        description: `${field}=${describeValue(value)}`,
        port: 'api',
        request: request(route, url, context, {}, { ...body, [field]: value }),
      });
    }
    cases.push({
      group: 'body',
      route: route.key,
      description: `without ${field}`,
      port: 'api',
      request: request(route, url, context, {}, Object.fromEntries(Object.entries(body).filter(([key]) => key !== field))),
    });
  }
  cases.push({
    group: 'body',
    route: route.key,
    description: 'extra keys',
    port: 'api',
    request: request(route, url, context, {}, { ...body, extra: 'x', isAdmin: true, role: 'admin', userId: 'usr_admin' }),
  });
  return cases;
}

/** Credentials, ids and caching headers that are wrong in every way. */
export function headerCases(route: RegisteredRoute, context: FuzzContext): FuzzCase[] {
  const sample = context.sampleOf(route);
  const url = fillUrl(route.url, sample.params, sample.query);
  const variants: { description: string; headers?: Record<string, string>; rawHeaderLines?: string[]; dropAuth?: boolean }[] = [
    { description: 'no credentials', dropAuth: true },
    { description: 'Authorization: Bearer', headers: { authorization: 'Bearer' } },
    { description: 'Authorization: Bearer (space)', headers: { authorization: 'Bearer ' } },
    { description: 'Authorization: Basic', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } },
    { description: 'Authorization: 8 KB token', headers: { authorization: `Bearer ${'a'.repeat(8000)}` } },
    { description: 'Authorization: forged key', headers: { authorization: `Bearer hlr_${'f'.repeat(64)}` } },
    { description: 'Authorization: three dots', headers: { authorization: 'Bearer ...' } },
    {
      description: 'Authorization: alg none',
      headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsInNpZCI6InNlc194In0.' },
    },
    { description: 'X-API-Key: junk', headers: { 'x-api-key': '$(id)' }, dropAuth: true },
    { description: 'x-request-id traversal', headers: { 'x-request-id': '../../../../etc/passwd' } },
    { description: 'x-request-id huge', headers: { 'x-request-id': 'r'.repeat(4000) } },
    { description: 'Origin: evil', headers: { origin: 'http://evil.example' } },
    { description: 'Origin: null', headers: { origin: 'null' } },
    { description: 'Last-Event-ID junk', headers: { 'last-event-id': '-1; DROP TABLE deployment_events' } },
    { description: 'If-None-Match junk', headers: { 'if-none-match': `W/"${'x'.repeat(3000)}", *` } },
    { description: 'Accept: text/html', headers: { accept: 'text/html' } },
    { description: 'Host: evil', headers: { host: 'evil.example:80' } },
    { description: 'X-Forwarded-For chain', headers: { 'x-forwarded-for': '1.2.3.4, 127.0.0.1, ::1' } },
    { description: 'duplicate Authorization', rawHeaderLines: ['Authorization: Bearer a', 'Authorization: Bearer b'] },
    { description: 'header without a colon', rawHeaderLines: ['NoColonHere'] },
    { description: 'header over 16 KB', rawHeaderLines: [`X-Big: ${'b'.repeat(20_000)}`] },
  ];
  return variants.map((variant) => {
    const built = request(route, url, context, {}, route.method === 'GET' || route.method === 'OPTIONS' ? undefined : sample.body);
    const headers = { ...built.headers, ...variant.headers };
    if (variant.dropAuth) delete headers['x-api-key'];
    return {
      group: 'headers',
      route: route.key,
      description: variant.description,
      port: 'api' as const,
      request: { ...built, headers, ...(variant.rawHeaderLines ? { rawHeaderLines: variant.rawHeaderLines } : {}) },
    };
  });
}

/** POST /deploy with reserved, prototype and malformed config keys, and hostile values in every variable. */
export function deployConfigCases(
  deployBody: { appId: string; config: Record<string, unknown>; mode: unknown },
  variables: string[],
  context: FuzzContext,
): FuzzCase[] {
  const route: RegisteredRoute = { method: 'POST', url: '/deploy', key: 'POST /deploy', queryKeys: [] };
  const keys = [
    'PATH',
    'BASH_ENV',
    'ENV',
    'HOME',
    'SHELL',
    'IFS',
    'PS4',
    'PROMPT_COMMAND',
    'LD_PRELOAD',
    'LD_LIBRARY_PATH',
    'NODE_OPTIONS',
    'DOCKER_HOST',
    'DOCKER_CONFIG',
    'DOCKER_CERT_PATH',
    'DOCKER_TLS_VERIFY',
    'DOCKER_CONTEXT',
    'COMPOSE_FILE',
    'COMPOSE_PROJECT_NAME',
    'COMPOSE_PROFILES',
    'COMPOSE_ENV_FILES',
    'COMPOSE_PATH_SEPARATOR',
    'COMPOSE_CONVERT_WINDOWS_PATHS',
    'DOCKERNETWORK',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'WEB_PORT\nPATH',
    'A=B',
    'A B',
    '$(id)',
    '${X}',
    '',
    'k'.repeat(128),
    'ä',
    'web_port',
  ];
  const cases: FuzzCase[] = [];
  for (const key of keys) {
    for (const value of ['x', `$(touch ${context.canary})`]) {
      cases.push({
        group: 'deploy-config',
        route: route.key,
        description: `config key ${JSON.stringify(key)}=${value.slice(0, 20)}`,
        port: 'api',
        request: request(route, '/deploy', context, {}, { ...deployBody, config: { ...deployBody.config, [key]: value } }),
      });
    }
  }
  cases.push({
    group: 'deploy-config',
    route: route.key,
    description: 'config key __proto__ (raw JSON)',
    port: 'api',
    request: request(
      route,
      '/deploy',
      context,
      {},
      `{"appId":${JSON.stringify(deployBody.appId)},"config":{"__proto__":{"PATH":"/tmp"}},"mode":{"type":"standard"}}`,
    ),
  });
  for (const variable of variables) {
    for (const value of hostileValues(context.canary)) {
      cases.push({
        group: 'deploy-config',
        route: route.key,
        description: `${variable}=${describeValue(value)}`,
        port: 'api',
        request: request(route, '/deploy', context, {}, { ...deployBody, config: { ...deployBody.config, [variable]: value } }),
      });
    }
  }
  for (const appId of hostileStrings(context.canary).concat([
    'hlrtest-web/../../etc',
    'hlrtest-web%00',
    'HLRTEST-WEB',
    ' hlrtest-web',
    'hlrtest-web.yml',
  ])) {
    cases.push({
      group: 'deploy-config',
      route: route.key,
      description: `appId=${describeValue(appId)}`,
      port: 'api',
      request: request(route, '/deploy', context, {}, { ...deployBody, appId }),
    });
  }
  for (const mode of ['', 'LOCAL', 'traefik ', 'host', { type: 'standard', publishPorts: 'yes' }, { type: ['standard'] }, 'standard']) {
    cases.push({
      group: 'deploy-config',
      route: route.key,
      description: `mode=${describeValue(mode)}`,
      port: 'api',
      request: request(route, '/deploy', context, {}, { ...deployBody, mode: typeof mode === 'string' ? { type: mode } : mode }),
    });
  }
  return cases;
}

/** Requests that break HTTP itself. */
export function wireCases(context: FuzzContext): FuzzCase[] {
  const raw = (description: string, target: string, method = 'GET', extra: Partial<RawRequest> = {}): FuzzCase => ({
    group: 'wire',
    route: '(any)',
    description,
    port: 'api',
    request: {
      method,
      target,
      headers: { ...context.auth, ...extra.headers },
      ...(extra.body ? { body: extra.body } : {}),
      ...(extra.rawHeaderLines ? { rawHeaderLines: extra.rawHeaderLines } : {}),
    },
  });
  return [
    raw('null byte in the path', '/containers/a\u0000b/logs'),
    raw('space in the path', '/containers/a b/logs'),
    raw('tab in the path', '/containers/a\tb'),
    raw('raw ../ climbing above the root', '/../../../../etc/passwd'),
    raw('raw ../ inside an API path', '/containers/../../../etc/passwd'),
    raw('encoded ../ above the root', '/%2e%2e/%2e%2e/etc/passwd'),
    raw('backslashes', '/..\\..\\etc\\passwd'),
    raw('double slashes', '//containers//x//logs'),
    raw('absolute-form target', 'http://evil.example/health'),
    raw('asterisk target on GET', '*'),
    raw('no leading slash', 'health'),
    raw('fragment in target', '/health#x'),
    raw('very long path', `/${'a/'.repeat(3000)}`),
    raw('very long query', `/health?${'q'.repeat(20_000)}`),
    raw('TRACE', '/health', 'TRACE'),
    { ...raw('CONNECT', '127.0.0.1:22', 'CONNECT'), mayGoUnanswered: 'Node closes a CONNECT it has no tunnel for' },
    raw('unknown method', '/health', 'FOO'),
    raw('lowercase method', '/health', 'get'),
    raw('PROPFIND', '/containers', 'PROPFIND'),
    raw('chunked garbage', '/deploy', 'POST', {
      headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json' },
      body: 'zz\r\n{}\r\n0\r\n\r\n',
    }),
    raw('content-length and chunked', '/deploy', 'POST', {
      headers: { 'transfer-encoding': 'chunked', 'content-length': '3', 'content-type': 'application/json' },
      body: '2\r\n{}\r\n0\r\n\r\n',
    }),
    raw('negative content-length', '/deploy', 'POST', { headers: { 'content-length': '-1', 'content-type': 'application/json' } }),
    raw('duplicate content-length', '/deploy', 'POST', { rawHeaderLines: ['Content-Length: 2', 'Content-Length: 3'], body: '{}' }),
    raw('CRLF in a header value', '/health', 'GET', { rawHeaderLines: ['X-Test: a\rb'] }),
  ];
}

/** The dashboard port serves files: nothing outside the built dashboard may come out of it. */
export function dashboardCases(context: FuzzContext): FuzzCase[] {
  const targets = [
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2f..%2fetc%2fpasswd',
    '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/assets/%2e%2e/%2e%2e/%2e%2e/package.json',
    '/..%5c..%5c..%5cetc%5cpasswd',
    '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
    '/index.html%00.js',
    '/api/../../../etc/passwd',
    '/api/%2e%2e/%2e%2e/etc/passwd',
    '/api/..%2f_ui%2f..%2f..%2fpackage.json',
    '/_ui/../package.json',
    '/%2e%2e%2fpackage.json',
    '/.env',
    '/.git/config',
    '/../.env',
    '/..%2f.env',
    '/../dist/server/main.js',
    '/%2e%2e/%2e%2e/data/homelabarr.db',
  ];
  return targets.map((target) => ({
    group: 'dashboard',
    route: '(dashboard port)',
    description: target,
    port: 'web' as const,
    request: { method: 'GET', target, headers: context.auth },
  }));
}
