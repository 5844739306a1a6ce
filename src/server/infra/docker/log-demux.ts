// Turns the bytes of GET /containers/{id}/logs into lines. Non-TTY containers answer with
// Docker's multiplexed frames (an 8-byte header: stream type, three zero bytes, a big-endian
// length); TTY containers answer with the raw terminal bytes and no header at all, so nothing
// may be cut from their start.

export type LogStream = 'stdout' | 'stderr';

export type ContainerLogLine = {
  stream: LogStream;
  /** Docker's RFC 3339 timestamp of the line (nanosecond precision), null when Docker sent none. */
  timestamp: string | null;
  message: string;
};

const FRAME_HEADER_BYTES = 8;
const NEWLINE = 0x0a;
// Docker prefixes every message with its timestamp and one space when asked for timestamps=true.
const TIMESTAMP_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) /;

export type LogFrame = { stream: LogStream; data: Buffer };

/** True when the bytes start like a multiplexed frame (type 0, 1 or 2 followed by three zero bytes). */
export function hasFrameHeader(bytes: Buffer): boolean {
  return bytes.length >= FRAME_HEADER_BYTES && bytes[0]! <= 2 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0;
}

/** Splits multiplexed bytes into frames; a truncated last frame is dropped. Stdin frames (type 0) count as stdout. */
export function demuxFrames(bytes: Buffer): LogFrame[] {
  const frames: LogFrame[] = [];
  let offset = 0;
  while (offset + FRAME_HEADER_BYTES <= bytes.length) {
    const type = bytes[offset]!;
    const length = bytes.readUInt32BE(offset + 4);
    const start = offset + FRAME_HEADER_BYTES;
    if (type > 2 || start + length > bytes.length) break;
    frames.push({ stream: type === 2 ? 'stderr' : 'stdout', data: bytes.subarray(start, start + length) });
    offset = start + length;
  }
  return frames;
}

function splitTimestamp(text: string): { timestamp: string | null; rest: string } {
  const match = TIMESTAMP_PREFIX.exec(text);
  return match ? { timestamp: match[1]!, rest: text.slice(match[0].length) } : { timestamp: null, rest: text };
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Lines of a TTY container's log: one stream (the terminal merges stdout and stderr), \r\n endings. */
function parseTtyLines(bytes: Buffer, hasTimestamps: boolean): ContainerLogLine[] {
  const text = bytes.toString('utf8');
  const rawLines = text.split('\n');
  if (rawLines[rawLines.length - 1] === '') rawLines.pop();
  let lastTimestamp: string | null = null;
  return rawLines.map((rawLine) => {
    const line = stripCarriageReturn(rawLine);
    if (!hasTimestamps) return { stream: 'stdout' as const, timestamp: null, message: line };
    const { timestamp, rest } = splitTimestamp(line);
    lastTimestamp = timestamp ?? lastTimestamp;
    return { stream: 'stdout' as const, timestamp: timestamp ?? lastTimestamp, message: rest };
  });
}

/**
 * Lines of a non-TTY container's log. Each frame is one log message; a message longer than
 * Docker's 16 KiB buffer arrives as several frames without a newline, which are joined here
 * per stream, so stdout and stderr never mix inside a line.
 */
function parseFramedLines(bytes: Buffer, hasTimestamps: boolean): ContainerLogLine[] {
  const lines: ContainerLogLine[] = [];
  const pending: Record<LogStream, { parts: Buffer[]; timestamp: string | null } | null> = { stdout: null, stderr: null };
  const flush = (stream: LogStream): void => {
    const current = pending[stream];
    if (!current) return;
    lines.push({ stream, timestamp: current.timestamp, message: stripCarriageReturn(Buffer.concat(current.parts).toString('utf8')) });
    pending[stream] = null;
  };
  for (const frame of demuxFrames(bytes)) {
    let data = frame.data;
    let timestamp: string | null = null;
    if (hasTimestamps) {
      // The prefix is ASCII, so reading it from a short latin1 view is safe for any payload.
      const match = TIMESTAMP_PREFIX.exec(data.subarray(0, 48).toString('latin1'));
      if (match) {
        timestamp = match[1]!;
        data = data.subarray(match[0].length);
      }
    }
    let start = 0;
    for (let index = data.indexOf(NEWLINE); index !== -1; index = data.indexOf(NEWLINE, start)) {
      const current = pending[frame.stream] ?? { parts: [], timestamp };
      current.parts.push(data.subarray(start, index));
      pending[frame.stream] = current;
      flush(frame.stream);
      start = index + 1;
    }
    if (start < data.length) {
      const current = pending[frame.stream] ?? { parts: [], timestamp };
      current.parts.push(data.subarray(start));
      pending[frame.stream] = current;
    }
  }
  flush('stdout');
  flush('stderr');
  return lines;
}

/** Parses a logs response body. `isTty` comes from the container's config, never from guessing. */
export function parseContainerLogs(bytes: Buffer, options: { isTty: boolean; hasTimestamps: boolean }): ContainerLogLine[] {
  if (bytes.length === 0) return [];
  // A non-TTY body that does not start with a frame header was not multiplexed after all; keep every byte.
  if (options.isTty || !hasFrameHeader(bytes)) return parseTtyLines(bytes, options.hasTimestamps);
  return parseFramedLines(bytes, options.hasTimestamps);
}
