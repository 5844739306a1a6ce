// The shape of an admin CLI command, shared by cli.ts (which dispatches) and the files that define
// commands (cli-maintenance.ts), so neither imports the other's internals.

export type CliIo = {
  out(text: string): void;
  err(text: string): void;
  /** The whole of standard input. */
  readStdin(): Promise<string>;
  /** The environment to read instead of the process's (tests); default: the process's, via loadConfig. */
  env?: NodeJS.ProcessEnv;
};

export type CliCommand = {
  usage: string;
  summary: string;
  run(args: string[], io: CliIo): Promise<number>;
};

/** Thrown by commands for a wrong invocation: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}
