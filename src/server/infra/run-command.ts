import { spawn } from 'node:child_process';

export type RunOptions = {
  cwd?: string;
  /** The complete environment of the child; nothing is inherited from this process. */
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called for every complete output line as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  input?: string;
};

export type RunResult = { stdout: string; stderr: string; exitCode: number; durationMs: number };

const TAIL_LINES = 20;
const MAX_CAPTURE_BYTES = 4 * 1024 * 1024;

/** What is known about a run that failed; the optional facts default to "it ran and was not stopped". */
export type CommandFailure = {
  command: string;
  args: readonly string[];
  /** null when the program did not exit by itself (killed, or never started). */
  exitCode: number | null;
  signal?: string | null;
  timedOut?: boolean;
  cancelled?: boolean;
  /** The last stderr lines, oldest first. */
  stderrTail?: string[];
  durationMs: number;
  /** Why the program could not be started (spawn's message, e.g. ENOENT). */
  spawnError?: string;
};

/**
 * A program that failed to start, exited non-zero, was killed, timed out or was cancelled. Takes
 * Error's options too: `cause` keeps the error behind the failure (spawn's, with its code).
 */
export class CommandError extends Error {
  readonly command: string;
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  readonly stderrTail: string[];
  readonly durationMs: number;
  readonly spawnError: string | undefined;

  constructor(failure: CommandFailure, options?: ErrorOptions) {
    const stderrTail = failure.stderrTail ?? [];
    super(`${failure.command} ${describeFailure(failure)}${stderrTail.length ? `: ${stderrTail.slice(-3).join(' | ')}` : ''}`, options);
    this.name = 'CommandError';
    this.command = failure.command;
    this.args = failure.args;
    this.exitCode = failure.exitCode;
    this.signal = failure.signal ?? null;
    this.timedOut = failure.timedOut ?? false;
    this.cancelled = failure.cancelled ?? false;
    this.stderrTail = stderrTail;
    this.durationMs = failure.durationMs;
    this.spawnError = failure.spawnError;
  }
}

function describeFailure(failure: CommandFailure): string {
  if (failure.spawnError) return `could not start: ${failure.spawnError}`;
  if (failure.timedOut) return `timed out after ${failure.durationMs} ms`;
  if (failure.cancelled) return 'was cancelled';
  if (failure.signal) return `was killed by ${failure.signal}`;
  return `exited with code ${failure.exitCode}`;
}

function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk;
      let index = pending.indexOf('\n');
      while (index >= 0) {
        onLine(pending.slice(0, index).replace(/\r$/, ''));
        pending = pending.slice(index + 1);
        index = pending.indexOf('\n');
      }
    },
    end() {
      if (pending) onLine(pending.replace(/\r$/, ''));
      pending = '';
    },
  };
}

/** Runs a program with an argument array (never a shell), a timeout and cancellation. */
export function runCommand(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const stderrTail: string[] = [];
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      shell: false,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const fail = (exitCode: number | null, signal: string | null, spawnError?: Error): void => {
      if (settled) return;
      settled = true;
      cleanup();
      const failure: CommandFailure = {
        command,
        args,
        exitCode,
        signal,
        timedOut,
        cancelled,
        stderrTail: stderrTail.slice(-TAIL_LINES),
        durationMs: Date.now() - started,
        spawnError: spawnError?.message,
      };
      reject(new CommandError(failure, spawnError ? { cause: spawnError } : undefined));
    };
    const kill = (): void => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const onAbort = (): void => {
      cancelled = true;
      kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    function cleanup(): void {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
    const out = lineSplitter((line) => options.onLine?.(line, 'stdout'));
    const err = lineSplitter((line) => {
      stderrTail.push(line);
      if (stderrTail.length > TAIL_LINES) stderrTail.shift();
      options.onLine?.(line, 'stderr');
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_CAPTURE_BYTES) stdout += chunk;
      out.push(chunk);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_CAPTURE_BYTES) stderr += chunk;
      err.push(chunk);
    });
    if (options.input !== undefined && child.stdin) child.stdin.end(options.input);
    child.on('error', (error) => fail(null, null, error));
    child.on('close', (code, signal) => {
      out.end();
      err.end();
      if (settled) return;
      if (code === 0 && !timedOut && !cancelled) {
        settled = true;
        cleanup();
        resolve({ stdout, stderr, exitCode: 0, durationMs: Date.now() - started });
      } else {
        fail(code, signal);
      }
    });
  });
}
