// The admin CLI's maintenance commands: backup, restore, doctor and import-original. Like cli.ts
// this is a composition root: it builds infra and services for one command and closes them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dockerWithAppErrors } from './app-errors/docker.js';
import type { CliCommand, CliIo } from './cli-command.js';
import { createInfra } from './composition.js';
import { systemClock } from './infra/clock.js';
import { loadConfig, type Config } from './config.js';
import { backupDataDir, BackupError, DATABASE_FILE, restoreDataDir } from './infra/data-backup.js';
import { probeDataDir } from './infra/data-dir-probe.js';
import { DatabaseStartupError, openDatabase, type Db } from './infra/db.js';
import { DataDirLockedError } from './infra/files.js';
import { AuthWrites } from './modules/auth/index.js';
import { ActivityRepository } from './modules/activity/index.js';
import { ActivityService } from './modules/activity/index.js';
import { ApiKeysRepository } from './modules/auth/index.js';
import { createAuthModule } from './modules/auth/index.js';
import { globalDefaultsFromConfig } from './modules/catalog/index.js';
import { CatalogService, catalogOptionsFromConfig } from './modules/catalog/index.js';
import { HealthService } from './modules/health/index.js';
import { formatDoctorReport, runDoctor } from './modules/maintenance/index.js';
import { OriginalCheckoutError, OriginalImportService, readOriginalCheckout } from './modules/maintenance/index.js';
import { PRODUCT_VERSION } from './services.js';

function configOf(io: CliIo): Config {
  return loadConfig(io.env ? { env: io.env } : {});
}

/** One file argument, or the usage on stderr and exit code 2. */
function singleFile(args: string[], usage: string, io: CliIo): string | null {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length === 1 && positionals[0]) return positionals[0];
  io.err(`give exactly one file\nUsage: homelabarr ${usage}\n`);
  return null;
}

export const backupCommand: CliCommand = {
  usage: 'backup <file.tar.gz>',
  summary: 'Write a consistent backup of DATA_DIR (database, rendered stacks); safe while the server runs',
  async run(args, io) {
    const file = singleFile(args, backupCommand.usage, io);
    if (file === null) return 2;
    const config = configOf(io);
    try {
      const report = await backupDataDir(config.dataDir, file);
      io.out(`Backed up ${report.entries.join(', ')} from ${config.dataDir} to ${report.file} (${report.bytes} bytes).\n`);
      io.out('The backup holds password hashes and deploy secrets: keep it where only you can read it.\n');
      return 0;
    } catch (error) {
      if (!(error instanceof BackupError)) throw error;
      io.err(`Backup failed: ${error.message}\n`);
      return 1;
    }
  },
};

export const restoreCommand: CliCommand = {
  usage: 'restore <file.tar.gz>',
  summary: 'Replace DATA_DIR with a backup; refuses while a server uses DATA_DIR, keeps the replaced data in DATA_DIR/pre-restore-<time>',
  async run(args, io) {
    const file = singleFile(args, restoreCommand.usage, io);
    if (file === null) return 2;
    const config = configOf(io);
    try {
      const report = await restoreDataDir(config.dataDir, file, systemClock.now());
      io.out(`Restored ${report.restored.join(', ')} into ${config.dataDir}.\n`);
      if (report.previousDataKeptIn)
        io.out(`What was there before is in ${report.previousDataKeptIn}; delete it once the server runs well.\n`);
      io.out('Start the server: it applies any newer migrations to the restored database.\n');
      return 0;
    } catch (error) {
      if (error instanceof DataDirLockedError) {
        io.err(`Refusing to restore while a server runs: ${error.message}\n`);
        return 1;
      }
      if (!(error instanceof BackupError)) throw error;
      io.err(`Restore failed: ${error.message}\n`);
      return 1;
    }
  },
};

export const doctorCommand: CliCommand = {
  usage: 'doctor',
  summary: 'Check Node.js, DATA_DIR, the database, Docker, compose, the catalog and the ports, with the fix for each problem',
  async run(args, io) {
    parseArgs({ args, allowPositionals: false, options: {} });
    const config = configOf(io);
    // As the server's services do, health reads Docker's failures as the API words them.
    const infra = createInfra(config);
    const docker = dockerWithAppErrors(infra.docker);
    const compose = await infra.compose.detect();
    const dataDir = probeDataDir(config.dataDir);
    let db: Db | null = null;
    let database: 'open' | 'missing' | { error: string } = 'missing';
    // Doctor only looks: a database that does not exist yet is not created here.
    if (existsSync(path.join(config.dataDir, DATABASE_FILE))) {
      try {
        db = openDatabase(config.dataDir);
        database = 'open';
      } catch (error) {
        if (!(error instanceof DatabaseStartupError)) throw error;
        database = { error: error.message };
      }
    }
    const catalog = new CatalogService(catalogOptionsFromConfig(config));
    try {
      const health = new HealthService({
        config,
        docker,
        clock: infra.clock,
        compose: () => compose,
        checkDatabase: () => db !== null && db.prepare('SELECT 1 AS ok').get() !== undefined,
        catalogSummary: () => catalog.summary(),
        version: PRODUCT_VERSION,
        startedAtMs: infra.clock.nowMs(),
      });
      const { hostPorts } = infra;
      const checks = await runDoctor({
        config,
        nodeVersion: process.version,
        health: async () => (await health.check(true)).body,
        database,
        dataDir,
        isDashboardBuilt: existsSync(path.join(config.webRoot, 'index.html')),
        canBind: (port) => hostPorts.canBind(port),
        proxyNetworkExists: async () => {
          try {
            return (await docker.inspectNetwork(config.proxyNetwork)) !== null;
          } catch {
            return null;
          }
        },
      });
      io.out(formatDoctorReport(checks, PRODUCT_VERSION));
      return checks.some((check) => check.status === 'fail') ? 1 : 0;
    } finally {
      catalog.close();
      db?.close();
    }
  },
};

export const importOriginalCommand: CliCommand = {
  usage: 'import-original <original checkout or its server/config folder>',
  summary: "Import the original product's users (bcrypt hashes kept), API keys and starred apps, and show how to keep its apps/ templates",
  async run(args, io) {
    const folder = singleFile(args, importOriginalCommand.usage, io);
    if (folder === null) return 2;
    const config = configOf(io);
    let checkout;
    try {
      checkout = readOriginalCheckout(folder);
    } catch (error) {
      if (!(error instanceof OriginalCheckoutError)) throw error;
      io.err(`${error.message}\n`);
      return 1;
    }
    for (const problem of checkout.problems) io.err(`Skipped ${problem.entry}: ${problem.reason}\n`);
    const { clock, secretFiles } = createInfra(config);
    const db = openDatabase(config.dataDir);
    const catalog = new CatalogService(catalogOptionsFromConfig(config));
    try {
      const activity = new ActivityService(new ActivityRepository(db), clock);
      const auth = createAuthModule({
        db,
        clock,
        files: secretFiles,
        activity,
        config,
        isKnownApp: (appId) => catalog.get(appId) !== null,
      });
      const importer = new OriginalImportService({
        users: auth.users,
        // This process caches no credentials; a running server sees these writes through data_version.
        apiKeys: new ApiKeysRepository(db, new AuthWrites()),
        catalogApps: () => catalog.list(),
        activity,
        clock,
      });
      const report = await importer.importCheckout(checkout);

      io.out(`From ${checkout.configDir}:\n`);
      for (const user of report.users.imported) io.out(`  user ${user.username} (${user.role}) imported; the password stays the same\n`);
      for (const user of report.users.skipped) io.out(`  user ${user.username} skipped: ${user.reason}\n`);
      for (const user of report.users.disabled) {
        io.out(
          `  user ${user.username} had a well-known default password: its login is disabled until homelabarr reset-password ${user.username}\n`,
        );
      }
      for (const key of report.apiKeys.imported) io.out(`  API key "${key.label}" of ${key.owner} imported; it keeps working as it is\n`);
      for (const skipped of report.apiKeys.skipped) io.out(`  ${skipped.entry} skipped: ${skipped.reason}\n`);
      if (checkout.revokedKeys > 0) io.out(`  ${checkout.revokedKeys} revoked API key(s) left behind\n`);
      io.out(`  ${report.stars.imported} starred app(s) imported\n`);
      for (const skipped of report.stars.skipped) io.out(`  ${skipped.entry} skipped: ${skipped.reason}\n`);
      for (const file of checkout.missing) io.out(`  no ${file} (nothing to import from it)\n`);

      if (checkout.templatesRoot) {
        const templates = new CatalogService({
          roots: [{ path: path.join(checkout.templatesRoot, 'apps'), source: 'cli-bridge' }],
          globals: globalDefaultsFromConfig(config),
          watch: false,
        }).summary();
        io.out(`\nTemplates: ${templates.apps} of the original's apps/ load here (${templates.invalid.length} cannot).\n`);
        io.out(
          config.cliBridgeHostPath === checkout.templatesRoot
            ? '  CLI_BRIDGE_HOST_PATH already points at them: they are in the catalog.\n'
            : `  To keep them in the catalog, add to .env and restart:\n    CLI_BRIDGE_HOST_PATH=${checkout.templatesRoot}\n`,
        );
      }
      return checkout.problems.length > 0 ? 1 : 0;
    } finally {
      catalog.close();
      db.close();
    }
  },
};
