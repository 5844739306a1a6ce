// What every route module receives: configuration, the services, and the auth guards.
import type { Config } from './config.js';
import type { Authenticator } from './modules/auth/index.js';
import type { Guards } from './modules/auth/index.js';
import type { Services } from './services.js';

export type AppContext = {
  config: Config;
  services: Services;
  authenticator: Authenticator;
  guards: Guards;
};
