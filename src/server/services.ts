// The composition of services from infrastructure. main.ts calls it with the real infra,
// tests with fakes for the outside world; both get the same wiring.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import type { Clock } from './infra/clock.js';
import type { ComposeInfo } from './infra/compose-cli.js';
import type { Db } from './infra/db.js';
import type { DockerEngine } from './infra/docker-engine.js';
import type { Authenticator } from './modules/auth/guards.js';
import { ActivityRepository } from './modules/activity/activity.repository.js';
import { ActivityService } from './modules/activity/activity.service.js';
import { HealthService } from './modules/health/health.service.js';

export type Infra = {
  config: Config;
  db: Db;
  docker: DockerEngine;
  clock: Clock;
  /** The compose CLI found at start (re-detected by the deployments module when missing). */
  compose: { current: ComposeInfo };
};

export type Services = {
  health: HealthService;
  activity: ActivityService;
};

const packageJsonPath = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'package.json');
export const PRODUCT_VERSION = (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string }).version;

export function createServices(infra: Infra): { services: Services; authenticator: Authenticator } {
  const { config, db, docker, clock } = infra;
  const authenticator: Authenticator = { authenticate: () => Promise.resolve(null) };
  const health = new HealthService({
    config,
    docker,
    clock,
    compose: () => infra.compose.current,
    checkDatabase: () => {
      try {
        return db.prepare('SELECT 1 AS ok').get() !== undefined;
      } catch {
        return false;
      }
    },
    catalogSummary: () => ({ apps: 0, invalid: [] }),
    version: PRODUCT_VERSION,
    startedAtMs: clock.nowMs(),
  });
  const activity = new ActivityService(new ActivityRepository(db), clock);
  return { services: { health, activity }, authenticator };
}
