// Who is making a request, as services see it: plain data, free of any HTTP framework type, so the
// activity log, the deploy runner and every service can take one without importing the auth module.
import type { Role } from '../contracts/common.js';

export type Principal = {
  userId: string;
  username: string;
  role: Role;
  /** Set when the request carries a JWT: the server-side session it names. */
  sessionId: string | null;
  /** Set when the request carries an API key. */
  apiKeyId: string | null;
};

const ROLE_RANK: Record<Role, number> = { viewer: 0, user: 1, admin: 2 };

export function hasRole(principal: Principal, minimum: Role): boolean {
  return ROLE_RANK[principal.role] >= ROLE_RANK[minimum];
}
