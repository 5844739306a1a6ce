import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_LISTED_FIELDS, type ErrorBody, type ErrorCode } from '../contracts/common.js';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  DOCKER_UNAVAILABLE: 503,
  COMPOSE_UNAVAILABLE: 503,
  RCLONE_UNAVAILABLE: 503,
  /** A storage provider turned down the credentials stored for it (mount auth/test). */
  REMOTE_AUTH_FAILED: 400,
  UPSTREAM_FAILED: 502,
  INSUFFICIENT_STORAGE: 507,
  INTERNAL: 500,
};

/**
 * An expected failure: thrown by services, written by the one error handler as the wire error body.
 * `extra.cause` keeps the error it was made from (an infra error), for code that needs its facts.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: string = message,
    readonly extra: { retryAfterSeconds?: number; fields?: { path: string; message: string }[]; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'AppError';
    this.status = STATUS_BY_CODE[code];
  }
}

export const notFound = (what: string, details?: string): AppError =>
  new AppError('NOT_FOUND', `${what} not found`, details ?? `No ${what.toLowerCase()} with that id exists`);

type ValidationIssue = { instancePath?: string; message?: string; params?: { issue?: { path?: (string | number)[] } } };

function describeValidation(error: FastifyError): { details: string; fields: { path: string; message: string }[] } {
  const issues = (error.validation ?? []) as ValidationIssue[];
  const context = error.validationContext ?? 'request';
  const fields = issues.map((issue) => {
    const issuePath = issue.params?.issue?.path?.join('.') ?? (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    return { path: issuePath ? `${context}.${issuePath}` : context, message: issue.message ?? 'is invalid' };
  });
  return { details: summarizeFields(fields) || error.message, fields };
}

/** No error body grows past a few KB, whatever the input that caused it. */
const MAX_DETAILS_LENGTH = 2_000;
const MAX_FIELD_TEXT_LENGTH = 300;

function capText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

type FieldProblem = { path: string; message: string };

/** The first problems in words, and how many more there were. */
function summarizeFields(fields: FieldProblem[]): string {
  const listed = fields
    .slice(0, MAX_LISTED_FIELDS)
    .map((field) => `${field.path}: ${field.message}`)
    .join('; ');
  const more = fields.length - MAX_LISTED_FIELDS;
  return more > 0 ? `${listed}; and ${more} more` : listed;
}

/** Lists at most MAX_LISTED_FIELDS problems, each text capped, plus the total when some were left out. */
function withFields(body: ErrorBody, fields: FieldProblem[]): ErrorBody {
  body.fields = fields
    .slice(0, MAX_LISTED_FIELDS)
    .map((field) => ({ path: capText(field.path, MAX_FIELD_TEXT_LENGTH), message: capText(field.message, MAX_FIELD_TEXT_LENGTH) }));
  if (fields.length > MAX_LISTED_FIELDS) body.fieldCount = fields.length;
  return body;
}

const KNOWN_FASTIFY_ERRORS: Record<string, { status: number; body: Omit<ErrorBody, 'requestId'> }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    body: { error: 'Malformed JSON', details: 'The request body is not valid JSON', code: 'BAD_REQUEST' },
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    body: { error: 'Malformed JSON', details: 'The request body is not valid JSON', code: 'BAD_REQUEST' },
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    body: { error: 'Request body too large', details: 'Bodies are limited to 1 MiB', code: 'PAYLOAD_TOO_LARGE' },
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    body: { error: 'Unsupported content type', details: 'Send JSON with Content-Type: application/json', code: 'UNSUPPORTED_MEDIA_TYPE' },
  },
};

/** SQLite's and the file system's "no space left": the database and the stacks both live in DATA_DIR. */
const DISK_FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

function toErrorBody(error: unknown, requestId: string): { status: number; body: ErrorBody; retryAfter?: number } {
  if (error instanceof AppError) {
    const fields = error.extra.fields;
    // A details text that lists every field problem is rewritten to the capped summary.
    const details = fields && fields.length > MAX_LISTED_FIELDS ? summarizeFields(fields) : error.details;
    const body: ErrorBody = { error: error.message, details: capText(details, MAX_DETAILS_LENGTH), code: error.code, requestId };
    if (fields) withFields(body, fields);
    return { status: error.status, body, retryAfter: error.extra.retryAfterSeconds };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    const { details, fields } = describeValidation(fastifyError as FastifyError);
    return {
      status: 400,
      body: withFields(
        { error: 'Invalid request', details: capText(details, MAX_DETAILS_LENGTH), code: 'VALIDATION_FAILED', requestId },
        fields,
      ),
    };
  }
  const known = fastifyError.code ? KNOWN_FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known) return { status: known.status, body: { ...known.body, requestId } };
  if (fastifyError.code && DISK_FULL_CODES.has(fastifyError.code)) {
    return {
      status: 507,
      body: {
        error: 'The disk is full',
        details:
          'The disk holding DATA_DIR has no free space left, so nothing could be saved. Free some space (docker image prune removes unused images) and retry.',
        code: 'INSUFFICIENT_STORAGE',
        requestId,
      },
    };
  }
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    return {
      status,
      body: { error: 'Bad request', details: fastifyError.message ?? 'The request could not be processed', code: 'BAD_REQUEST', requestId },
    };
  }
  return {
    status: 500,
    body: {
      error: 'Internal server error',
      details: `Something unexpected failed; the server log has request ${requestId}`,
      code: 'INTERNAL',
      requestId,
    },
  };
}

export function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  return sendErrorBody(reply, toErrorBody(error, String(reply.request.id)));
}

function sendErrorBody(reply: FastifyReply, { status, body, retryAfter }: ReturnType<typeof toErrorBody>): FastifyReply {
  if (retryAfter !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Fastify's router refuses some URLs before any route or hook runs (a bad percent-encoding, a path
 * segment over maxParamLength); they still get the wire error body.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const details =
    error.code === 'FST_ERR_BAD_URL'
      ? 'The URL is not valid: a percent-encoded sequence in it does not decode'
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'The URL is not valid: a path segment is longer than 500 characters'
        : 'The request could not be routed';
  sendError(reply, new AppError('BAD_REQUEST', 'Bad request', details));
}

const CLIENT_ERRORS: Record<string, { status: number; error: string; details: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, error: 'Request headers too large', details: 'The request headers exceed 16 KiB' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, error: 'Request timeout', details: 'The request did not arrive completely in time' },
};

/**
 * Requests Node's HTTP parser rejects (not HTTP/1.1, bad header lines, oversized headers) never
 * reach Fastify; the answer written on the socket still has the wire error body.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ''] ?? {
    status: 400,
    error: 'Malformed HTTP request',
    details: 'The request line or headers are not valid HTTP/1.1',
  };
  const body = JSON.stringify({
    error: known.error,
    details: known.details,
    code: 'BAD_REQUEST',
    requestId: randomUUID(),
  } satisfies ErrorBody);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status] ?? 'Bad Request'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const answer = toErrorBody(error, String(request.id));
    if (answer.status < 500) {
      // The caller's mistake: one line, no stack (a stack of a 400 is noise with our file paths in it).
      request.log.info(
        { route: request.routeOptions.url ?? null, status: answer.status, code: answer.body.code },
        `request refused: ${answer.body.error}`,
      );
    } else if (error instanceof AppError) {
      // Expected outages (Docker or rclone down): the details say what happened; a stack adds nothing.
      request.log.warn(
        { route: request.routeOptions.url ?? null, status: answer.status, code: answer.body.code, details: answer.body.details },
        `request failed: ${answer.body.error}`,
      );
    } else {
      request.log.error({ err: error, status: answer.status, code: answer.body.code }, 'request failed unexpectedly');
    }
    return sendErrorBody(reply, answer);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new AppError('ROUTE_NOT_FOUND', 'Route not found', `${request.method} ${request.url.split('?')[0] ?? ''} is not an API route`),
    ),
  );
}
