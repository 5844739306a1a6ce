// Wire shapes of the auth routes (seed "Authentication" table and wire-contract.md "Auth").
import { z } from 'zod';
import { RoleSchema } from './common.js';

/** A string field whose absence reads "is required" rather than zod's type message. */
const requiredString = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });

export const USERNAME_PATTERN = /^[a-zA-Z0-9_.-]{3,32}$/;
export const UsernameSchema = requiredString().regex(USERNAME_PATTERN, 'must be 3 to 32 letters, digits, _ . or -');
/** The minimum length is configuration (PASSWORD_MIN_LENGTH), so the service checks it; the cap keeps hashing cheap to refuse. */
export const PasswordSchema = requiredString().min(1, 'is required').max(1024, 'must be at most 1024 characters');
export const EmailSchema = z.email('must be an email address').max(254, 'must be at most 254 characters');

export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const UserIdSchema = z.string().regex(USER_ID_PATTERN, 'must be a user id (letters, digits, _ or -)');
export const SESSION_ID_PATTERN = /^ses_[a-f0-9]{32}$/;
export const SessionIdSchema = z.string().regex(SESSION_ID_PATTERN, 'must be a session id (ses_ and 32 hex digits)');
export const API_KEY_ID_PATTERN = /^key_[a-f0-9]{16}$/;
export const ApiKeyIdSchema = z.string().regex(API_KEY_ID_PATTERN, 'must be an API key id (key_ and 16 hex digits)');
/** The secret itself: hlr_ and 64 hex digits. */
export const API_KEY_PATTERN = /^hlr_[a-f0-9]{64}$/;
export const StarAppIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be an app id such as mediaserver-plex');

const isoTime = z.string().describe('ISO 8601 time');

export const UserSummarySchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  role: RoleSchema,
});
export const UserSchema = UserSummarySchema.extend({
  createdAt: isoTime,
  lastLogin: isoTime.nullable(),
});
export type User = z.infer<typeof UserSchema>;

// --- requests ---

export const LoginRequestSchema = z.object({ username: requiredString().min(1, 'is required').max(254), password: PasswordSchema });
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const ChangePasswordRequestSchema = z.object({ currentPassword: PasswordSchema, newPassword: PasswordSchema });
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;

export const RegisterRequestSchema = z.object({
  username: UsernameSchema,
  password: PasswordSchema,
  email: EmailSchema.nullable().optional(),
  role: RoleSchema.default('user'),
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

export const UpdateUserRequestSchema = z
  .object({ role: RoleSchema.optional(), email: EmailSchema.nullable().optional() })
  .strict()
  .refine((body) => body.role !== undefined || body.email !== undefined, 'must change role or email');
export type UpdateUserRequest = z.infer<typeof UpdateUserRequestSchema>;

export const SetPasswordRequestSchema = z
  .object({ password: PasswordSchema.optional(), newPassword: PasswordSchema.optional().describe('Alias of password') })
  .refine((body) => (body.password ?? body.newPassword) !== undefined, { message: 'is required', path: ['password'] });
export type SetPasswordRequest = z.infer<typeof SetPasswordRequestSchema>;

export const CreateApiKeyRequestSchema = z
  .object({
    label: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
    name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional().describe('Alias of label'),
    role: RoleSchema.optional().describe("The key's role; never more than its owner's (default: the owner's role)"),
    expiresAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time' }).optional(),
    expiresInDays: z.number().int('must be a whole number').min(1, 'must be at least 1').max(3650, 'must be at most 3650').optional(),
  })
  .refine((body) => (body.label ?? body.name) !== undefined, { message: 'is required', path: ['label'] })
  .refine((body) => body.expiresAt === undefined || body.expiresInDays === undefined, {
    message: 'give expiresAt or expiresInDays, not both',
    path: ['expiresAt'],
  });
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

export const ActivityLogQuerySchema = z.object({
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').default(50),
  offset: z.coerce.number().int('must be a whole number').min(0, 'must be at least 0').default(0),
  action: z
    .string()
    .regex(/^[a-z_.]{1,64}$/, 'must be an action such as auth.login')
    .optional(),
  userId: UserIdSchema.optional(),
});
export type ActivityLogQuery = z.infer<typeof ActivityLogQuerySchema>;

export const ApiKeyListQuerySchema = z.object({
  all: z.enum(['true', 'false']).optional().describe("Admins only: list every user's keys"),
});

export const UserIdParamsSchema = z.object({ id: UserIdSchema });
export const SessionIdParamsSchema = z.object({ sessionId: SessionIdSchema });
export const ApiKeyIdParamsSchema = z.object({ keyId: ApiKeyIdSchema });
export const StarParamsSchema = z.object({ appId: StarAppIdSchema });

// --- responses ---

export const LoginResponseSchema = z.object({
  success: z.literal(true),
  token: z.string().describe('Send as Authorization: Bearer <token>'),
  expiresAt: isoTime,
  user: UserSummarySchema.extend({ lastLogin: isoTime.nullable() }),
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

export const MeResponseSchema = z.object({ success: z.literal(true), user: UserSchema });
export const MessageResponseSchema = z.object({ success: z.literal(true), message: z.string() });

export const SessionSchema = z.object({
  id: z.string(),
  createdAt: isoTime,
  lastSeenAt: isoTime,
  expiresAt: isoTime,
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  current: z.boolean().describe('Whether this is the session of the token that asked'),
});
export type Session = z.infer<typeof SessionSchema>;
export const SessionsResponseSchema = z.object({ success: z.literal(true), sessions: z.array(SessionSchema) });

export const RegisterResponseSchema = z.object({ success: z.literal(true), user: UserSummarySchema });
export const UserResponseSchema = z.object({ success: z.literal(true), user: UserSchema });
/** The original product answers GET /auth/users with a bare array (its dashboard calls `.map` on the body). */
export const UserListEntrySchema = UserSchema.extend({ updatedAt: isoTime.describe('Last change of role, email or password') });
export type UserListEntry = z.infer<typeof UserListEntrySchema>;
export const UsersResponseSchema = z.array(UserListEntrySchema).describe('Every user, oldest first; a bare array, as the original answers');

export const ApiKeySchema = z.object({
  id: z.string(),
  label: z.string(),
  name: z.string().describe('Same as label'),
  prefix: z.string().describe('The first characters of the key, to tell keys apart'),
  keyPreview: z.string().describe('The prefix as a list shows it ("hlr_0123abcd..."), the field the original’s clients read'),
  role: RoleSchema,
  userId: z.string(),
  username: z.string(),
  createdAt: isoTime,
  expiresAt: isoTime.nullable(),
  lastUsed: isoTime.nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;
export const ApiKeyCreatedResponseSchema = z.object({
  success: z.literal(true),
  key: z.string().describe('hlr_ and 64 hex digits; shown this once, never again'),
  apiKey: ApiKeySchema,
});
export const ApiKeysResponseSchema = z.object({ success: z.literal(true), apiKeys: z.array(ApiKeySchema) });

export const StarsResponseSchema = z.object({
  success: z.literal(true),
  stars: z.array(z.string()).describe('Starred app ids, oldest first'),
});

/** One entry in the original product's shape (its field names), newest first. */
export const ActivityEntrySchema = z.object({
  id: z.string().describe('Increases with every entry (a string, as in the original)'),
  userId: z.string().nullable().describe('Who acted; null without a signed-in user (a failed sign-in, AUTH_ENABLED=false)'),
  username: z.string().nullable().describe('Who acted, or the username a failed sign-in tried'),
  timestamp: isoTime,
  action: z.string().describe('Dotted verb: auth.login, user.create, apikey.revoke, deploy.start, container.stop, …'),
  targetType: z.string().nullable().describe('user, apiKey, app, container or catalog; null when the action has no target'),
  targetId: z.string().nullable().describe('User id, key id, app id or container id'),
  targetName: z.string().nullable().describe('Username, key label, app id or container name'),
  details: z.record(z.string(), z.unknown()).describe('What else the action recorded; never a secret'),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable().describe('The client’s User-Agent, recorded for sign-ins and account changes'),
});
export type ActivityLogEntry = z.infer<typeof ActivityEntrySchema>;
export const ActivityLogResponseSchema = z.object({
  success: z.literal(true),
  activities: z.array(ActivityEntrySchema),
  total: z.number().describe('Entries matching the filters, on every page'),
  limit: z.number(),
  offset: z.number(),
});
