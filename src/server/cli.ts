#!/usr/bin/env node
// The admin CLI (`homelabarr <command>`): one table of commands, each with its usage and a run
// function that returns the exit code. It works on DATA_DIR directly, also while the server runs
// (SQLite WAL lets both write; every request reads users and sessions fresh).
import { randomBytes } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { USERNAME_PATTERN } from '../contracts/auth.js';
import { RoleSchema } from '../contracts/common.js';
import { createInfra } from './composition.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { AppError } from './errors.js';
import { DatabaseStartupError, openDatabase } from './infra/db.js';
import { ActivityRepository } from './modules/activity/index.js';
import { ActivityService } from './modules/activity/index.js';
import { createAuthModule, type AuthModule } from './modules/auth/index.js';
import { parseUsersFile } from './modules/auth/index.js';
import { runCatalogCheck } from './modules/catalog/index.js';
import { UsageError, type CliCommand, type CliIo } from './cli-command.js';
import { backupCommand, doctorCommand, importOriginalCommand, restoreCommand } from './cli-maintenance.js';

function loadCliConfig(io: CliIo): Config {
  return loadConfig(io.env ? { env: io.env } : {});
}

/** Runs `work` with the auth module over DATA_DIR's database, closing the database afterwards. */
async function withAuth<T>(io: CliIo, work: (auth: AuthModule) => Promise<T>): Promise<T> {
  const config = loadCliConfig(io);
  const { clock, secretFiles } = createInfra(config);
  const db = openDatabase(config.dataDir);
  try {
    const activity = new ActivityService(new ActivityRepository(db), clock);
    return await work(createAuthModule({ db, clock, files: secretFiles, activity, config }));
  } finally {
    db.close();
  }
}

/** The command's single positional argument (`what` names it in the usage error). */
function onePositional(positionals: string[], what: string): string {
  const value = positionals[0];
  if (positionals.length !== 1 || value === undefined) throw new UsageError(`give exactly one ${what}`);
  return value;
}

function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** --password-stdin reads the first line of standard input, so passwords stay out of argv and shell history. */
async function readPasswordFromStdin(io: CliIo): Promise<string> {
  const line = (await io.readStdin()).split(/\r?\n/)[0] ?? '';
  if (line.length === 0) throw new UsageError('--password-stdin: standard input is empty');
  return line;
}

/** The new password: from standard input with --password-stdin, else generated (and to be printed once). */
async function choosePassword(fromStdin: boolean, io: CliIo): Promise<{ password: string; isGenerated: boolean }> {
  return fromStdin
    ? { password: await readPasswordFromStdin(io), isGenerated: false }
    : { password: generatePassword(), isGenerated: true };
}

const CLI_META = { ip: null, userAgent: 'homelabarr-cli' };

const createUser: CliCommand = {
  usage: 'create-user <username> [--role admin|user|viewer] [--email <address>] [--password-stdin]',
  summary: 'Create a user; without --password-stdin a strong password is generated and printed once',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        role: { type: 'string', default: 'user' },
        email: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
      },
    });
    const username = onePositional(positionals, 'username');
    if (!USERNAME_PATTERN.test(username)) throw new UsageError('the username must be 3 to 32 letters, digits, _ . or -');
    const role = RoleSchema.safeParse(values.role);
    if (!role.success) throw new UsageError('--role must be admin, user or viewer');
    const { password, isGenerated } = await choosePassword(values['password-stdin'], io);
    return withAuth(io, async (auth) => {
      const user = await auth.users.createUser({ username, password, email: values.email ?? null, role: role.data });
      io.out(`Created ${user.role} ${user.username} (${user.id}).\n`);
      if (isGenerated) io.out(`Password (shown once): ${password}\n`);
      return 0;
    });
  },
};

const resetPassword: CliCommand = {
  usage: 'reset-password <username> [--password-stdin]',
  summary: "Set a user's password and end all of its sessions; without --password-stdin one is generated and printed once",
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { 'password-stdin': { type: 'boolean', default: false } },
    });
    const username = onePositional(positionals, 'username');
    const { password, isGenerated } = await choosePassword(values['password-stdin'], io);
    return withAuth(io, async (auth) => {
      const user = auth.users.findByUsername(username);
      if (!user) {
        io.err(`No user named ${username}.\n`);
        return 1;
      }
      await auth.users.setPassword(null, user.id, password, CLI_META);
      io.out(`Password of ${user.username} set; its sessions have ended.\n`);
      if (isGenerated) io.out(`Password (shown once): ${password}\n`);
      return 0;
    });
  },
};

const importUsers: CliCommand = {
  usage: 'import-users <users.json>',
  summary: "Import the original product's users.json (bcrypt hashes become argon2id at each user's next login)",
  async run(args, io) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    const file = onePositional(positionals, 'file');
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      io.err(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    const parsed = parseUsersFile(data);
    for (const problem of parsed.problems) {
      io.err(
        `Skipped ${problem.index >= 0 ? `entry ${problem.index}` : file}${problem.username ? ` (${problem.username})` : ''}: ${problem.reason}\n`,
      );
    }
    return withAuth(io, async (auth) => {
      const report = await auth.users.importUsers(parsed.users);
      for (const user of report.imported) io.out(`Imported ${user.role} ${user.username} (${user.id}).\n`);
      for (const user of report.skipped) io.err(`Skipped ${user.username}: ${user.reason}\n`);
      for (const user of report.disabled) {
        io.err(
          `${user.username} had a well-known default password; its login is disabled until: homelabarr reset-password ${user.username}\n`,
        );
      }
      io.out(`${report.imported.length} imported, ${report.skipped.length + parsed.problems.length} skipped.\n`);
      return parsed.problems.length > 0 || report.skipped.length > 0 ? 1 : 0;
    });
  },
};

const catalog: CliCommand = {
  usage: 'catalog check [path]',
  summary: 'Check catalog templates (parse, schema, variables, host ports, images, privileges); default: the bundled apps/',
  async run(args, io) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    const [subcommand, folder, ...rest] = positionals;
    if (subcommand !== 'check' || rest.length > 0) throw new UsageError('the catalog command is: catalog check [path]');
    return runCatalogCheck(folder ?? loadCliConfig(io).bundledCatalogPath, io);
  },
};

export const COMMANDS: Record<string, CliCommand> = {
  catalog,
  'create-user': createUser,
  'reset-password': resetPassword,
  'import-users': importUsers,
  'import-original': importOriginalCommand,
  backup: backupCommand,
  restore: restoreCommand,
  doctor: doctorCommand,
};

function helpText(): string {
  const lines = Object.entries(COMMANDS).map(([, command]) => `  homelabarr ${command.usage}\n      ${command.summary}`);
  return `Usage:\n${lines.join('\n')}\n\nThe commands use DATA_DIR (and .env) exactly like the server.\n`;
}

/** Runs one command; returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(helpText());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`Unknown command ${name}.\n\n${helpText()}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(error as Error).message}\nUsage: homelabarr ${command.usage}\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof DatabaseStartupError) {
      io.err(`${error.message}\n`);
      return 1;
    }
    if (error instanceof AppError) {
      io.err(`${error.message}: ${error.details}\n`);
      return 1;
    }
    throw error;
  }
}

function readAllStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    if (process.stdin.isTTY) {
      process.stderr.write('Type the password and press Enter (it will be visible):\n');
    }
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      text += chunk;
      // One line is all any command reads; do not wait for end-of-file on a terminal.
      if (text.includes('\n')) {
        process.stdin.pause();
        resolve(text);
      }
    });
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', reject);
  });
}

const isEntryPoint = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (isEntryPoint) {
  const io: CliIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readStdin: readAllStdin,
  };
  runCli(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
