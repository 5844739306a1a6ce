import { z } from 'zod';

export const ErrorCodeSchema = z.enum([
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'DOCKER_UNAVAILABLE',
  'COMPOSE_UNAVAILABLE',
  'RCLONE_UNAVAILABLE',
  'REMOTE_AUTH_FAILED',
  'UPSTREAM_FAILED',
  'INSUFFICIENT_STORAGE',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** An error body lists this many field problems at most, so a body of 20,000 bad keys cannot answer megabytes. */
export const MAX_LISTED_FIELDS = 20;

export const ErrorBodySchema = z
  .object({
    error: z.string().describe('Short, human description of what went wrong'),
    details: z.string().describe('What failed, or what to do about it'),
    code: ErrorCodeSchema,
    requestId: z.string(),
    fields: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe(`The problems found, one per field; at most ${MAX_LISTED_FIELDS} (fieldCount says how many there were)`),
    fieldCount: z.number().int().optional().describe('How many field problems there were in all, when more than fit in fields'),
  })
  .describe('The error body every failing route answers with');
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Container ids and names as Docker accepts them; anything else never reaches Docker. */
export const ContainerIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be a container id or name (letters, digits, _ . -)');

export const RoleSchema = z.enum(['admin', 'user', 'viewer']);
export type Role = z.infer<typeof RoleSchema>;

export const SuccessSchema = z.object({ success: z.literal(true) });
