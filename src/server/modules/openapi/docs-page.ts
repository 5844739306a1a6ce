// The API docs at /docs: the OpenAPI document rendered on the server into one self-contained HTML
// page. No script (the content security policy allows none inline, and nothing may load from a
// CDN), so routes fold open with <details> and every schema is printed as a readable tree.
import { listOperations, type MediaType, type OpenApiDocument, type Operation } from './openapi-document.js';
import type { JsonSchema } from './schema-examples.js';

const MAX_SCHEMA_DEPTH = 6;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Escaped text with its `code` spans. */
function renderInline(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** Paragraphs of inline text. */
function renderText(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${renderInline(paragraph)}</p>`)
    .join('');
}

function anchorOf(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-');
}

type Resolver = (ref: string) => { name: string; schema: JsonSchema } | null;

function typeLabel(schema: JsonSchema, resolve: Resolver): string {
  if (typeof schema.$ref === 'string') return escapeHtml(resolve(schema.$ref)?.name ?? schema.$ref);
  if ('const' in schema) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => `<code>${escapeHtml(JSON.stringify(value))}</code>`).join(' | ');
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) return (schema[key] as JsonSchema[]).map((alternative) => typeLabel(alternative, resolve)).join(' | ');
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  const labels = types.map((type) => {
    if (type === 'array' && schema.items && typeof schema.items === 'object')
      return `array of ${typeLabel(schema.items as JsonSchema, resolve)}`;
    if (type === 'object' && !schema.properties && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      return `map of ${typeLabel(schema.additionalProperties as JsonSchema, resolve)}`;
    }
    return type;
  });
  if (labels.length === 0) return schema.properties ? 'object' : 'any';
  const format = typeof schema.format === 'string' ? ` (${escapeHtml(schema.format)})` : '';
  return `${labels.join(' | ')}${format}`;
}

function constraints(schema: JsonSchema): string {
  const parts: string[] = [];
  if (typeof schema.pattern === 'string') parts.push(`pattern <code>${escapeHtml(schema.pattern)}</code>`);
  for (const [key, label] of [
    ['minLength', 'min length'],
    ['maxLength', 'max length'],
    ['minimum', 'min'],
    ['maximum', 'max'],
    ['minItems', 'min items'],
    ['maxItems', 'max items'],
  ] as const) {
    if (typeof schema[key] === 'number') parts.push(`${label} ${String(schema[key])}`);
  }
  if (schema.default !== undefined) parts.push(`default <code>${escapeHtml(JSON.stringify(schema.default))}</code>`);
  return parts.length > 0 ? ` <span class="c">${parts.join(', ')}</span>` : '';
}

/** The fields an object-like schema has, following $refs, array items and the first union member with fields. */
function fieldsOf(
  schema: JsonSchema,
  resolve: Resolver,
  depth: number,
): { properties: Record<string, JsonSchema>; required: string[] } | null {
  if (depth > MAX_SCHEMA_DEPTH) return null;
  if (typeof schema.$ref === 'string') {
    const target = resolve(schema.$ref);
    return target ? fieldsOf(target.schema, resolve, depth + 1) : null;
  }
  if (schema.properties && typeof schema.properties === 'object') {
    return {
      properties: schema.properties as Record<string, JsonSchema>,
      required: Array.isArray(schema.required) ? (schema.required as string[]) : [],
    };
  }
  if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items))
    return fieldsOf(schema.items as JsonSchema, resolve, depth + 1);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    return fieldsOf(schema.additionalProperties as JsonSchema, resolve, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(schema[key])) {
      for (const member of schema[key] as JsonSchema[]) {
        const fields = fieldsOf(member, resolve, depth + 1);
        if (fields) return fields;
      }
    }
  }
  return null;
}

function renderFields(schema: JsonSchema, resolve: Resolver, depth: number): string {
  const fields = fieldsOf(schema, resolve, depth);
  if (!fields || Object.keys(fields.properties).length === 0) return '';
  const items = Object.entries(fields.properties).map(([name, property]) => {
    const description = typeof property.description === 'string' ? ` — ${renderInline(property.description)}` : '';
    const required = fields.required.includes(name) ? ' <span class="req">required</span>' : '';
    const nested = depth < MAX_SCHEMA_DEPTH ? renderFields(property, resolve, depth + 1) : '';
    return `<li><code>${escapeHtml(name)}</code> <span class="t">${typeLabel(property, resolve)}</span>${required}${constraints(property)}${description}${nested}</li>`;
  });
  return `<ul class="schema">${items.join('')}</ul>`;
}

function renderMedia(contentType: string, media: MediaType, resolve: Resolver): string {
  const schema = media.schema ?? {};
  const description = typeof schema.description === 'string' ? `<p>${escapeHtml(schema.description)}</p>` : '';
  const example = media.example ?? Object.values(media.examples ?? {})[0]?.value;
  const exampleText = typeof example === 'string' ? example : JSON.stringify(example, null, 2);
  return (
    `<div class="media"><div class="ct">${escapeHtml(contentType)} · <span class="t">${typeLabel(schema, resolve)}</span></div>${description}` +
    `${renderFields(schema, resolve, 0)}${example !== undefined ? `<pre class="example">${escapeHtml(exampleText)}</pre>` : ''}</div>`
  );
}

function renderOperation(path: string, method: string, operation: Operation, resolve: Resolver): string {
  const auth = operation['x-auth'] ?? 'none';
  const parts: string[] = [];
  if (operation.description) parts.push(renderText(operation.description));
  const parameters = operation.parameters ?? [];
  if (parameters.length > 0) {
    const rows = parameters.map((parameter) => {
      const schema = parameter.schema ?? {};
      const description = parameter.description ?? (typeof schema.description === 'string' ? schema.description : '');
      return (
        `<tr><td><code>${escapeHtml(parameter.name)}</code>${parameter.required ? ' <span class="req">required</span>' : ''}</td><td>${escapeHtml(parameter.in)}</td>` +
        `<td>${typeLabel(schema, resolve)}${constraints(schema)}</td><td>${renderInline(description)}</td><td><code>${escapeHtml(JSON.stringify(parameter.example))}</code></td></tr>`
      );
    });
    parts.push(
      `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th><th>Example</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    );
  }
  if (operation.requestBody) {
    parts.push(
      `<h4>Request body</h4>${Object.entries(operation.requestBody.content)
        .map(([type, media]) => renderMedia(type, media, resolve))
        .join('')}`,
    );
  }
  parts.push('<h4>Responses</h4>');
  for (const [status, response] of Object.entries(operation.responses)) {
    const content = Object.entries(response.content ?? {})
      .map(([type, media]) => renderMedia(type, media, resolve))
      .join('');
    parts.push(
      `<div class="response"><div class="status s${escapeHtml(status[0] ?? 'd')}">${escapeHtml(status)}</div><div>${renderText(response.description)}${content}</div></div>`,
    );
  }
  const id = anchorOf(operation.operationId ?? `${method}-${path}`);
  return (
    `<details id="${id}"><summary><span class="m m-${method}">${method.toUpperCase()}</span> <code class="path">${escapeHtml(path)}</code>` +
    ` <span class="sum">${escapeHtml(operation.summary ?? '')}</span> <span class="auth a-${escapeHtml(auth)}">${escapeHtml(auth)}</span></summary>` +
    `<div class="op">${parts.join('')}</div></details>`
  );
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#5b6570;--line:#d8dee4;--code:#f3f5f7;--accent:#2563eb}
@media (prefers-color-scheme:dark){:root{--bg:#0f1216;--fg:#e6e9ee;--muted:#9aa4af;--line:#2a3139;--code:#1a1f26;--accent:#60a5fa}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif}
header,main,nav{max-width:72rem;margin:0 auto;padding:0 1rem}header{padding-top:1.5rem}h1{margin:.2rem 0}h1 small{color:var(--muted);font-weight:400;font-size:1rem}
a{color:var(--accent)}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em}
nav ul{display:flex;flex-wrap:wrap;gap:.4rem 1rem;list-style:none;padding:0}h2{margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.3rem;text-transform:capitalize}
details{border:1px solid var(--line);border-radius:8px;margin:.4rem 0;background:var(--bg)}summary{cursor:pointer;padding:.45rem .7rem;display:flex;gap:.6rem;align-items:baseline;flex-wrap:wrap}
.m{display:inline-block;min-width:4.2rem;text-align:center;border-radius:4px;padding:0 .3rem;font-weight:700;font-size:.78rem;color:#fff;background:#6b7280}
.m-get{background:#2563eb}.m-post{background:#059669}.m-delete{background:#dc2626}.m-put{background:#d97706}.m-patch{background:#7c3aed}
.path{font-weight:600}.sum{color:var(--muted)}.auth{margin-left:auto;font-size:.75rem;border:1px solid var(--line);border-radius:999px;padding:0 .5rem;color:var(--muted)}
.a-none{border-color:#059669}.a-conditional{border-color:#d97706}.a-required{border-color:#dc2626}
.op{padding:.2rem 1rem 1rem;border-top:1px solid var(--line)}h4{margin:1rem 0 .3rem}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);text-align:left;padding:.25rem .4rem;vertical-align:top}
.schema{margin:.2rem 0;padding-left:1.2rem}.t{color:var(--accent)}.req{color:#dc2626;font-size:.75rem}.c{color:var(--muted);font-size:.8rem}
pre.example{background:var(--code);padding:.6rem;border-radius:6px;overflow:auto;max-height:24rem}.ct{color:var(--muted);font-size:.85rem}
.response{display:grid;grid-template-columns:4.5rem 1fr;gap:.5rem;border-top:1px dashed var(--line);padding-top:.4rem;margin-top:.4rem}.status{font-weight:700}
.s2{color:#059669}.s4{color:#d97706}.s5{color:#dc2626}.sd{color:var(--muted)}
`;

/** The whole documentation page for a document. */
export function renderDocsPage(document: OpenApiDocument): string {
  const schemas = document.components?.schemas ?? {};
  const resolve: Resolver = (ref) => {
    const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
    const schema = name ? schemas[name] : undefined;
    return name && schema ? { name, schema } : null;
  };
  const byTag = new Map<string, string[]>();
  const operations = listOperations(document);
  for (const { path, method, operation } of operations) {
    const tag = operation.tags?.[0] ?? 'other';
    const list = byTag.get(tag) ?? [];
    list.push(renderOperation(path, method, operation, resolve));
    byTag.set(tag, list);
  }
  const tags = [...byTag.keys()].sort();
  const nav = tags
    .map((tag) => `<li><a href="#tag-${anchorOf(tag)}">${escapeHtml(tag)}</a> (${byTag.get(tag)?.length ?? 0})</li>`)
    .join('');
  const sections = tags
    .map((tag) => `<section id="tag-${anchorOf(tag)}"><h2>${escapeHtml(tag)}</h2>${(byTag.get(tag) ?? []).join('')}</section>`)
    .join('');
  const servers = ((document.servers as { url: string; description?: string }[] | undefined) ?? [])
    .map((server) => `<li><code>${escapeHtml(server.url)}</code> ${escapeHtml(server.description ?? '')}</li>`)
    .join('');
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(document.info.title)} ${escapeHtml(document.info.version)}</title><style>${STYLE}</style></head><body>` +
    `<header><h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)} · OpenAPI ${escapeHtml(document.openapi)}</small></h1>` +
    `${renderText(document.info.description ?? '')}<p>${operations.length} operations · the machine-readable document: <a href="openapi.json">openapi.json</a></p>` +
    `${servers ? `<ul>${servers}</ul>` : ''}</header><nav><ul>${nav}</ul></nav><main>${sections}</main></body></html>`
  );
}
