// Reads the original product's users.json: an array of users, or {users:[…]}, each with a bcrypt
// password hash. Pure: it only decides what would be imported and why anything would not.
import { USER_ID_PATTERN, USERNAME_PATTERN } from '../../../contracts/auth.js';
import { RoleSchema, type Role } from '../../../contracts/common.js';
import { isBcryptHash } from './password-hasher.js';

export type ImportedUser = {
  id: string | null;
  username: string;
  email: string | null;
  passwordHash: string;
  role: Role;
  createdAt: string | null;
  lastLogin: string | null;
};

export type ImportProblem = { index: number; username: string | null; reason: string };

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function pickString(entry: Record<string, unknown>, ...names: string[]): string | null {
  for (const name of names) {
    const value = entry[name];
    if (typeof value === 'string' && value.length > 0) return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return null;
}

function toIsoTime(value: string | null): string | null {
  if (value === null) return null;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function parseUsersFile(data: unknown): { users: ImportedUser[]; problems: ImportProblem[] } {
  const list: unknown = Array.isArray(data) ? data : (data as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) {
    return {
      users: [],
      problems: [{ index: -1, username: null, reason: 'the file must hold an array of users or an object {"users": [...]}' }],
    };
  }
  const users: ImportedUser[] = [];
  const problems: ImportProblem[] = [];
  const seen = new Set<string>();
  list.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push({ index, username: null, reason: 'is not an object' });
      return;
    }
    const entry = raw as Record<string, unknown>;
    const username = pickString(entry, 'username');
    const fail = (reason: string): void => {
      problems.push({ index, username, reason });
    };
    if (username === null || !USERNAME_PATTERN.test(username)) return fail('username must be 3 to 32 letters, digits, _ . or -');
    if (seen.has(username.toLowerCase())) return fail('username appears twice in the file');
    const passwordHash = pickString(entry, 'password', 'passwordHash', 'password_hash');
    if (passwordHash === null || !isBcryptHash(passwordHash)) return fail('password must be a bcrypt hash ($2a$, $2b$ or $2y$)');
    const roleValue = pickString(entry, 'role') ?? 'user';
    const role = RoleSchema.safeParse(roleValue.toLowerCase());
    if (!role.success) return fail(`role ${roleValue} is not admin, user or viewer`);
    const email = pickString(entry, 'email');
    if (email !== null && !EMAIL_PATTERN.test(email)) return fail(`email ${email} is not an email address`);
    const id = pickString(entry, 'id');
    seen.add(username.toLowerCase());
    users.push({
      id: id !== null && USER_ID_PATTERN.test(id) ? id : null,
      username,
      email,
      passwordHash,
      role: role.data,
      createdAt: toIsoTime(pickString(entry, 'createdAt', 'created_at')),
      lastLogin: toIsoTime(pickString(entry, 'lastLogin', 'last_login')),
    });
  });
  return { users, problems };
}
