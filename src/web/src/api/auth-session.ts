// The signed-in user's token, kept in localStorage so a reload stays signed in. Components read it
// through useSyncExternalStore (see use-session.ts); the HTTP client reads it directly.
import type { Role } from '../../../contracts/common.js';

export type SessionUser = {
  id: string;
  username: string;
  email: string | null;
  role: Role;
  lastLogin?: string | null;
  createdAt?: string;
};

export type SessionState =
  | { status: 'unknown' }
  | { status: 'signed-out'; reason: string | null }
  | { status: 'signed-in'; token: string | null; user: SessionUser; authEnabled: boolean };

const TOKEN_KEY = 'hlr.token';
const listeners = new Set<() => void>();
let state: SessionState = { status: 'unknown' };

function storedToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function emit(): void {
  for (const listener of listeners) listener();
}

export const authSession = {
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  get: (): SessionState => state,
  storedToken,
  token: (): string | null => (state.status === 'signed-in' ? state.token : storedToken()),
  signIn(token: string | null, user: SessionUser, authEnabled = true): void {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    state = { status: 'signed-in', token, user, authEnabled };
    emit();
  },
  updateUser(user: SessionUser): void {
    if (state.status !== 'signed-in') return;
    state = { ...state, user };
    emit();
  },
  signOut(reason: string | null = null): void {
    localStorage.removeItem(TOKEN_KEY);
    state = { status: 'signed-out', reason };
    emit();
  },
};
