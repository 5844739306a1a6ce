// Builds the real app for api-tier tests: real SQLite (in memory), real services; the outside
// world (Docker) replaced where a test passes a fake.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../../src/server/app.js';
import type { AppContext } from '../../src/server/app-context.js';
import { testConfig, type Config } from '../../src/server/config.js';
import { systemClock, type Clock } from '../../src/server/infra/clock.js';
import { createInfra, type Infra } from '../../src/server/composition.js';
import {
  CliComposeRunner,
  composeProcessEnv,
  NO_COMPOSE,
  type ComposeInfo,
  type ComposeRunner,
} from '../../src/server/infra/compose-cli.js';
import { openDatabase, type Db } from '../../src/server/infra/db.js';
import type { DockerEngine } from '../../src/server/infra/docker/engine.js';
import type { HostPorts } from '../../src/server/infra/host-ports.js';
import type { HostResolver } from '../../src/server/infra/host-resolver.js';
import { createGuards } from '../../src/server/modules/auth/guards.js';
import { createServices } from '../../src/server/services.js';
import { FakeDockerEngine } from './fake-docker.js';

export type TestApp = {
  app: FastifyInstance;
  ctx: AppContext;
  infra: Infra;
  config: Config;
  db: Db;
  dataDir: string;
  close(): Promise<void>;
};

export async function createTestApp(
  options: {
    config?: Partial<Config>;
    docker?: DockerEngine;
    compose?: ComposeInfo;
    clock?: Clock;
    composeRunner?: ComposeRunner;
    hostPorts?: HostPorts;
    /** Answers name lookups of mount endpoints; by default every name resolves to nothing, so no test asks a DNS server. */
    hostResolver?: HostResolver;
    /** Passed to buildApp, e.g. onRoute to list every route. */
    buildOptions?: BuildAppOptions;
  } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hlr-test-data-'));
  const config = testConfig({ dataDir, appFolder: path.join(dataDir, 'appdata'), ...options.config });
  const db = openDatabase(':memory:');
  const real = createInfra(config);
  const infra: Infra = {
    ...real,
    docker: options.docker ?? new FakeDockerEngine(),
    clock: options.clock ?? systemClock,
    // A given compose version stands as found: no test looks for the real CLI unless it asks to.
    compose: options.composeRunner ?? new CliComposeRunner(composeProcessEnv(config), config.composeBinary, options.compose ?? NO_COMPOSE),
    hostPorts: options.hostPorts ?? real.hostPorts,
    hostResolver: options.hostResolver ?? { resolve: () => Promise.resolve([]) },
  };
  const { services, authenticator } = createServices(infra, db);
  const ctx: AppContext = { config, services, authenticator, guards: createGuards(authenticator, config.authEnabled) };
  const app = await buildApp(ctx, options.buildOptions);
  await app.ready();
  return {
    app,
    ctx,
    infra,
    config,
    db,
    dataDir,
    async close() {
      await app.close();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
