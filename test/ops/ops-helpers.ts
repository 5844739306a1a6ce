// Helpers of the ops tests: a CLI io that records what a command prints, and the real app built
// on a DATA_DIR on disk (the CLI works on files, createTestApp on an in-memory database).
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import type { AppContext } from '../../src/server/app-context.js';
import type { CliIo } from '../../src/server/cli-command.js';
import { testConfig, type Config } from '../../src/server/config.js';
import { createInfra } from '../../src/server/composition.js';
import { openDatabase } from '../../src/server/infra/db.js';
import { createGuards } from '../../src/server/modules/auth/guards.js';
import { createServices } from '../../src/server/services.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';

export type RecordingIo = CliIo & { output: string; errors: string };

export function recordingIo(env: Record<string, string>, stdin = ''): RecordingIo {
  const io: RecordingIo = {
    output: '',
    errors: '',
    out: (text) => {
      io.output += text;
    },
    err: (text) => {
      io.errors += text;
    },
    readStdin: () => Promise.resolve(stdin),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  };
  return io;
}

/** The app as the server builds it, on the database in `dataDir`; close() closes both. */
export async function appOnDataDir(
  dataDir: string,
  overrides: Partial<Config> = {},
): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const config = testConfig({ dataDir, ...overrides });
  const db = openDatabase(dataDir);
  const { services, authenticator } = createServices({ ...createInfra(config), docker: new FakeDockerEngine() }, db);
  const ctx: AppContext = { config, services, authenticator, guards: createGuards(authenticator, config.authEnabled) };
  const app = await buildApp(ctx);
  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      db.close();
    },
  };
}
