// Users, sessions, API keys and the guards every route uses; createAuthModule wires them together.
export { ApiKeysRepository } from './api-keys.repository.js';
export { type ApiKeysService } from './api-keys.service.js';
export { type AuthModule, createAuthModule } from './auth.module.js';
export { type AuthService } from './auth.service.js';
export { type Authenticator } from './authenticator.js';
export { AuthWrites } from './credential-cache.js';
export { createGuards, type Guards } from './guards.js';
export { hashApiKey } from './token-authenticator.js';
export { type UsageTracker } from './usage-tracker.js';
export { type ImportedUser, type ImportProblem, parseUsersFile } from './users-import.js';
export { type ImportReport, type UsersService } from './users.service.js';
