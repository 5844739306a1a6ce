// Where the server's log lines go: stdout, in batches. The logger formats each line at once, but
// writing each with its own write() made logging the largest cost of a small request on a busy
// host (two lines per request; npm run bench). Lines logged during one turn of the event loop go
// out together in one write right after it, and whatever is pending is written synchronously when
// the process exits, so only a SIGKILL can lose the last few milliseconds of lines.
import { writeSync } from 'node:fs';

export type LogDestination = {
  write(line: string): void;
  /** Writes everything pending now. */
  flushSync(): void;
};

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `text`, waiting (1 ms at a time) while a non-blocking pipe is full. */
function writeFully(fd: number, text: string): void {
  let bytes = Buffer.from(text);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(fd, bytes));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }
}

export function createBatchedLogDestination(fd = 1): LogDestination {
  let pending: string[] = [];
  let isScheduled = false;
  const flushSync = (): void => {
    isScheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    writeFully(fd, text);
  };
  process.once('exit', flushSync);
  return {
    write(line) {
      pending.push(line);
      if (isScheduled) return;
      isScheduled = true;
      setImmediate(flushSync);
    },
    flushSync,
  };
}
