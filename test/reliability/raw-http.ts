// HTTP/1.1 over a bare socket, for requests no well-behaved client would send: raw `../` and `%2e`
// in paths, null bytes, bad percent-encodings, lying headers. fetch() and http.request() normalize
// or refuse those, so the fuzzer writes the bytes itself.
import net from 'node:net';

export type RawAnswer = {
  /** 0 when the server closed the connection without an answer. */
  status: number;
  headers: Record<string, string>;
  body: string;
  timedOut: boolean;
  ms: number;
};

export type RawRequest = {
  method: string;
  /** Sent exactly as given, no encoding. */
  target: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Extra header lines sent verbatim (malformed ones included). */
  rawHeaderLines?: string[];
};

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd === -1) break;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Sends one request with `Connection: close` and reads the answer. An event stream is cut after
 * its headers (status 200 is all a fuzzer needs to know); the caller treats timedOut as a hang.
 */
export function sendRaw(port: number, request: RawRequest, timeoutMs = 15_000): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let isDone = false;
    const finish = (answer: Omit<RawAnswer, 'ms'>): void => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...answer, ms: performance.now() - started });
    };
    const parse = (isComplete: boolean): void => {
      const data = Buffer.concat(chunks);
      const headerEnd = data.indexOf('\r\n\r\n');
      if (headerEnd === -1) {
        if (isComplete) finish({ status: 0, headers: {}, body: data.toString('utf8'), timedOut: false });
        return;
      }
      const [statusLine = '', ...lines] = data.subarray(0, headerEnd).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      if ((headers['content-type'] ?? '').includes('text/event-stream')) {
        finish({ status, headers, body: '', timedOut: false });
        return;
      }
      const rest = data.subarray(headerEnd + 4);
      const length = headers['content-length'] === undefined ? null : Number(headers['content-length']);
      if (length !== null && rest.length >= length) {
        finish({ status, headers, body: rest.subarray(0, length).toString('utf8'), timedOut: false });
      } else if (isComplete) {
        const body = headers['transfer-encoding'] === 'chunked' ? decodeChunked(rest) : rest;
        finish({ status, headers, body: body.toString('utf8'), timedOut: false });
      }
    };
    const timer = setTimeout(
      () => finish({ status: 0, headers: {}, body: Buffer.concat(chunks).toString('utf8'), timedOut: true }),
      timeoutMs,
    );
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      parse(false);
    });
    socket.on('end', () => parse(true));
    socket.on('close', () => parse(true));
    socket.on('error', () => parse(true));
    const body = request.body === undefined ? null : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, connection: 'close', ...request.headers };
    if (body && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
    const head = [
      `${request.method} ${request.target} HTTP/1.1`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ...(request.rawHeaderLines ?? []),
      '',
      '',
    ].join('\r\n');
    socket.write(Buffer.from(head, 'latin1'));
    if (body) socket.write(body);
  });
}
