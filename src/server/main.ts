// The server's composition root: read config → lock DATA_DIR → open db → createInfra → createServices
// → build app → listen on both ports.
import http from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import { buildApp, loggerOptions } from './app.js';
import type { AppContext } from './app-context.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { answerClientError } from './errors.js';
import { DatabaseStartupError, openDatabase } from './infra/db.js';
import { acquireDataDirLock, DataDirLockedError } from './infra/files.js';
import { createBatchedLogDestination } from './infra/log-destination.js';
import { createGuards } from './modules/auth/index.js';
import { SETUP_HINT } from './modules/health/index.js';
import { createInfra } from './composition.js';
import { createServices, PRODUCT_VERSION } from './services.js';

function fail(message: string): never {
  process.stderr.write(`\nHomelabARR CE cannot start:\n${message}\n\n`);
  process.exit(1);
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  let lock: { release(): void };
  try {
    lock = acquireDataDirLock(config.dataDir);
  } catch (error) {
    if (error instanceof DataDirLockedError) fail(error.message);
    throw error;
  }
  let db;
  try {
    db = openDatabase(config.dataDir);
  } catch (error) {
    lock.release();
    if (error instanceof DatabaseStartupError) fail(error.message);
    throw error;
  }

  const infra = createInfra(config);
  const compose = await infra.compose.detect();
  const { services, authenticator } = createServices(infra, db);
  const ctx: AppContext = { config, services, authenticator, guards: createGuards(authenticator, config.authEnabled) };

  let dashboardServer: http.Server | undefined;
  const serverFactory: FastifyServerOptions['serverFactory'] = (handler) => {
    dashboardServer = http.createServer(handler);
    dashboardServer.on('clientError', answerClientError);
    return http.createServer(handler);
  };
  const logDestination = createBatchedLogDestination();
  const app = await buildApp(ctx, {
    logger: loggerOptions(config.logLevel, logDestination),
    serverFactory,
    frontendPort: config.frontendPort,
  });

  app.addHook('onClose', async () => {
    dashboardServer?.closeIdleConnections();
    await new Promise<void>((resolve) => dashboardServer?.close(() => resolve()) ?? resolve());
  });

  // Deployments a killed process left unfinished are marked interrupted before anyone can ask about them.
  const interrupted = await services.deployments.recoverInterrupted();
  for (const deployment of interrupted)
    app.log.warn(`Deployment ${deployment.id} of ${deployment.appId} was interrupted by a restart: ${deployment.error ?? ''}`);

  await app.listen({ port: config.backendPort, host: config.bindAddress });
  await new Promise<void>((resolve, reject) => {
    dashboardServer?.once('error', reject);
    dashboardServer?.listen(config.frontendPort, config.bindAddress, () => resolve());
  });

  const shownHost = config.bindAddress === '0.0.0.0' ? 'localhost' : config.bindAddress;
  app.log.info(`API on http://${shownHost}:${config.backendPort}, dashboard on http://${shownHost}:${config.frontendPort}`);
  if (!(await services.health.isDockerUp())) {
    app.log.warn(`Docker is not reachable at ${config.dockerHost}: running in catalog-only mode. To get Docker: ${SETUP_HINT}`);
  }
  if (!compose.available) app.log.warn(`docker compose was not found; deploys are disabled until it is installed: ${SETUP_HINT}`);
  if (!config.authEnabled) {
    app.log.warn('AUTH_ENABLED=false: the API is open to anyone who can reach it. Only do this on a trusted network.');
    // Straight to stderr as well: LOG_LEVEL=error or silent must not hide that anyone can deploy and remove containers.
    process.stderr.write(
      `\n  WARNING: AUTH_ENABLED=false. Anyone who can reach ${config.bindAddress}:${config.backendPort} or :${config.frontendPort} can deploy, stop and remove containers,\n` +
        '  which is root on this host through the Docker socket. Only do this on a trusted network.\n\n',
    );
  }
  app.log.info(`HomelabARR CE ${PRODUCT_VERSION} ready`);
  const initialAdmin = services.users.takeInitialAdminNotice();
  if (initialAdmin) {
    // Straight to the console, never through the logger: log lines get shipped and kept, this must be seen once.
    logDestination.flushSync();
    process.stdout.write(
      `\n  First start: created the admin account.\n    username: ${initialAdmin.username}\n    password: ${initialAdmin.password}\n` +
        `  The password is also in ${initialAdmin.file} (mode 0600) until you change it. Log in and change it now.\n\n`,
    );
  }

  let isClosing = false;
  const shutdown = (signal: string): void => {
    if (isClosing) return;
    isClosing = true;
    app.log.info(`${signal} received, shutting down`);
    const forceExit = setTimeout(() => process.exit(1), 10_000);
    forceExit.unref();
    void app
      .close()
      .then(() => {
        db.close();
        lock.release();
        process.exit(0);
      })
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) fail(error.message);
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
});
