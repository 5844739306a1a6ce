// Finishes the document @fastify/swagger builds from the route schemas: the shared error body and
// the error responses each operation can give, an example for every parameter, body and response,
// and an operationId for client generators. Applied to every operation alike, so a route added
// by any module is documented as fully as the others without doing anything.
import { z } from 'zod';
import { ErrorBodySchema } from '../../../contracts/common.js';
import { exampleFromSchema, type JsonSchema } from './schema-examples.js';

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, JsonSchema>; securitySchemes?: Record<string, unknown> };
  tags?: { name: string; description?: string }[];
  [key: string]: unknown;
};

export type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: JsonSchema; example?: unknown }[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
  security?: Record<string, string[]>[];
  'x-auth'?: string;
  [key: string]: unknown;
};

export type MediaType = { schema?: JsonSchema; example?: unknown; examples?: Record<string, { value: unknown }> };

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const ERROR_BODY_REF = '#/components/schemas/ErrorBody';

const AUTH_TEXT: Record<string, string> = {
  none: 'None: open to everyone.',
  required:
    'Required: a JWT from POST /auth/login or an API key (Authorization: Bearer …); some routes also need a role (admin for user management).',
  conditional: 'Conditional: a token is required while AUTH_ENABLED=true (the default); open when it is false.',
};

function errorExample(code: string, error: string, details: string): MediaType {
  return { schema: { $ref: ERROR_BODY_REF }, example: { error, details, code, requestId: '550e8400-e29b-41d4-a716-446655440000' } };
}

/** Every operation of the document with its path and method. */
export function listOperations(document: OpenApiDocument): { path: string; method: string; operation: Operation }[] {
  const operations: { path: string; method: string; operation: Operation }[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Operation | undefined;
      if (operation) operations.push({ path, method, operation });
    }
  }
  return operations;
}

function operationIdFor(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/^\{(.+)\}$/, 'by-$1'))
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return [method, ...words].map((word, i) => (i === 0 ? word : word[0]?.toUpperCase() + word.slice(1))).join('');
}

/** A bare `id` path parameter is named after its collection: /containers/{id} → containerId. */
function parameterHint(path: string, name: string): string {
  if (name !== 'id') return name;
  const collection = /\/([a-z-]+)\/\{id\}/.exec(path)?.[1];
  return collection ? `${collection.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()).replace(/s$/, '')}Id` : name;
}

export function enrichOpenApiDocument(document: OpenApiDocument): OpenApiDocument {
  const components = (document.components ??= {});
  const schemas = (components.schemas ??= {});
  schemas.ErrorBody ??= z.toJSONSchema(ErrorBodySchema, { target: 'draft-2020-12' }) as JsonSchema;
  delete schemas.ErrorBody.$schema;
  const resolveRef = (ref: string): JsonSchema | null => {
    const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
    return match ? (schemas[match[1] as string] ?? null) : null;
  };
  const addExample = (media: MediaType, name?: string): void => {
    if (media.example !== undefined || media.examples !== undefined || !media.schema) return;
    media.example = exampleFromSchema(media.schema, { resolveRef, ...(name ? { name } : {}) });
  };

  const usedIds = new Set<string>();
  for (const { path, method, operation } of listOperations(document)) {
    let id = operation.operationId ?? operationIdFor(method, path);
    while (usedIds.has(id)) id = `${id}_`;
    usedIds.add(id);
    operation.operationId = id;

    const auth = operation['x-auth'] ?? 'none';
    const authText = AUTH_TEXT[auth] ?? auth;
    operation.description = operation.description ? `${operation.description}\n\nAuth: ${authText}` : `Auth: ${authText}`;

    for (const parameter of operation.parameters ?? []) {
      if (parameter.example === undefined && parameter.schema) {
        parameter.example = exampleFromSchema(parameter.schema, { resolveRef, name: parameterHint(path, parameter.name) });
      }
    }
    for (const media of Object.values(operation.requestBody?.content ?? {})) addExample(media);
    for (const [status, response] of Object.entries(operation.responses)) {
      // @fastify/swagger's placeholder says nothing; the schema's own description says more.
      if (response.description === 'Default Response') response.description = status.startsWith('2') ? 'Success' : 'Response';
      for (const media of Object.values(response.content ?? {})) addExample(media);
    }

    const hasInput = (operation.parameters?.length ?? 0) > 0 || operation.requestBody !== undefined;
    if (hasInput && !operation.responses['400']) {
      operation.responses['400'] = {
        description: 'Invalid input: a parameter or the body failed validation (details name each field)',
        content: {
          'application/json': errorExample(
            'VALIDATION_FAILED',
            'Invalid request',
            'params.id: must be a container id or name (letters, digits, _ . -)',
          ),
        },
      };
    }
    if (auth !== 'none' && !operation.responses['401']) {
      operation.responses['401'] = {
        description: 'No valid token (or a revoked, expired or unknown one)',
        content: {
          'application/json': errorExample(
            'UNAUTHENTICATED',
            'Authentication required',
            'Send Authorization: Bearer <token> from POST /auth/login, or an API key',
          ),
        },
      };
    }
    operation.responses.default ??= {
      description:
        'Any other failure, always this body: 403 forbidden, 404 not found, 409 conflict, 429 rate limited, 503 Docker unavailable, …',
      content: {
        'application/json': errorExample(
          'DOCKER_UNAVAILABLE',
          'Docker is not reachable',
          'connect ENOENT /var/run/docker.sock. Start Docker and retry; the server reconnects by itself.',
        ),
      },
    };
  }
  return document;
}
