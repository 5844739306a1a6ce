// A minimal HTTP/1.1 load loop: N keep-alive connections (TCP or a unix socket), each sending its
// next GET as soon as the previous answer has fully arrived, for a fixed time. It reads only what
// it must (the status line, Content-Length or the chunk sizes) and skips bodies without parsing
// them, so one core of it outruns the server even on the ~30 KB catalog answer. autocannon's
// JavaScript HTTP parser needs ~0.45 ms of CPU per such answer and became the bottleneck (see
// bench/README.md). Each connection reads into one buffer of its own, reused for every read:
// with a fresh Buffer per read (Node's default), allocating and collecting them cost the client
// 0.17 CPU ms per 234 KB catalog answer against the server's 0.10, so the client was what the
// uncompressed catalog row measured.
import net from 'node:net';

export type LeanTarget = { url: string; socketPath?: string; headers?: Record<string, string> };
export type LeanSamples = { latencies: number[]; statuses: Map<number, number>; errors: number; seconds: number };

const CRLF_CRLF = Buffer.from('\r\n\r\n');
/** Per connection; a read takes at most this much of what the socket holds. */
const READ_BUFFER_BYTES = 256 * 1024;
const CRLF = Buffer.from('\r\n');

type State =
  | { phase: 'head' }
  | { phase: 'length'; remaining: number }
  | { phase: 'chunk-size' }
  | { phase: 'chunk-data'; remaining: number }
  | { phase: 'trailer' };

/** Parses one response stream; `onResponse` is called with the status of every complete answer. */
class ResponseReader {
  private pending: Buffer | null = null;
  private state: State = { phase: 'head' };
  private status = 0;

  constructor(private readonly onResponse: (status: number) => void) {}

  push(chunk: Buffer): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let offset = 0;
    while (offset < data.length) {
      const state = this.state;
      if (state.phase === 'head') {
        const end = data.indexOf(CRLF_CRLF, offset);
        if (end === -1) break;
        const head = data.toString('latin1', offset, end);
        offset = end + 4;
        this.status = Number(head.slice(9, 12));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const isChunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
        if (this.status === 204 || this.status === 304 || (this.status >= 100 && this.status < 200)) this.complete();
        else if (isChunked) this.state = { phase: 'chunk-size' };
        else if (length) {
          const remaining = Number(length[1]);
          if (remaining === 0) this.complete();
          else this.state = { phase: 'length', remaining };
        } else throw new Error(`A response without Content-Length or chunked encoding: ${head.split('\r\n')[0] ?? ''}`);
      } else if (state.phase === 'length' || state.phase === 'chunk-data') {
        const take = Math.min(state.remaining, data.length - offset);
        offset += take;
        state.remaining -= take;
        if (state.remaining > 0) break;
        if (state.phase === 'length') this.complete();
        else this.state = { phase: 'chunk-size' };
      } else if (state.phase === 'chunk-size') {
        const end = data.indexOf(CRLF, offset);
        if (end === -1) break;
        const line = data.toString('latin1', offset, end);
        offset = end + 2;
        // The CRLF that ends the previous chunk's data arrives as an empty size line.
        if (line === '') continue;
        const size = parseInt(line, 16);
        this.state = size === 0 ? { phase: 'trailer' } : { phase: 'chunk-data', remaining: size };
      } else {
        const end = data.indexOf(CRLF, offset);
        if (end === -1) break;
        const isLast = end === offset;
        offset = end + 2;
        if (isLast) this.complete();
      }
    }
    // A copy: `data` may be the connection's read buffer, which the next read overwrites.
    if (offset < data.length) this.pending = Buffer.from(data.subarray(offset));
  }

  private complete(): void {
    this.state = { phase: 'head' };
    this.onResponse(this.status);
  }
}

function requestBytes(target: LeanTarget): { bytes: Buffer; connect: net.NetConnectOpts } {
  const url = new URL(target.url);
  const headers = Object.entries({ host: url.host, ...target.headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const bytes = Buffer.from(`GET ${url.pathname}${url.search} HTTP/1.1\r\n${headers}\r\n`, 'latin1');
  const connect: net.NetConnectOpts = target.socketPath
    ? { path: target.socketPath }
    : { host: url.hostname, port: Number(url.port || 80) };
  return { bytes, connect };
}

/** Runs `connections` keep-alive loops against the target for `seconds`. */
export async function runLeanLoad(target: LeanTarget, connections: number, seconds: number): Promise<LeanSamples> {
  const { bytes, connect } = requestBytes(target);
  const samples: LeanSamples = { latencies: [], statuses: new Map(), errors: 0, seconds: 0 };
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1000;
  const loops = Array.from(
    { length: connections },
    () =>
      new Promise<void>((resolve) => {
        let sentAt = 0;
        let socket: net.Socket;
        const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
        const open = (): void => {
          const reader = new ResponseReader((status) => {
            samples.latencies.push(performance.now() - sentAt);
            samples.statuses.set(status, (samples.statuses.get(status) ?? 0) + 1);
            send();
          });
          socket = net.connect({
            ...connect,
            onread: {
              buffer: readBuffer,
              // Returning true keeps the socket reading.
              callback: (size: number, buffer: Uint8Array) => {
                try {
                  reader.push(Buffer.from(buffer.buffer, buffer.byteOffset, size));
                } catch {
                  samples.errors += 1;
                  socket.destroy();
                }
                return true;
              },
            },
          });
          socket.setNoDelay(true);
          socket.on('connect', send);
          socket.on('error', () => undefined);
          socket.on('close', () => {
            if (performance.now() >= deadline) return resolve();
            // The peer closed a keep-alive connection mid-run: count it and open another.
            samples.errors += 1;
            open();
          });
        };
        const send = (): void => {
          if (performance.now() >= deadline) {
            socket.end();
            socket.destroy();
            return;
          }
          sentAt = performance.now();
          socket.write(bytes);
        };
        open();
      }),
  );
  await Promise.all(loops);
  samples.seconds = (performance.now() - startedAt) / 1000;
  return samples;
}
