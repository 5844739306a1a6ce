// HTTP/1.1 to the Docker Engine API with node:http alone. The general-purpose client library
// used before cost ~21 MB of idle resident memory (it loads ssh2 with a WASM module and gRPC at
// import) for the fifteen plain calls the project makes; these requests are all it needs.
import http from 'node:http';
import { addAbortSignal } from 'node:stream';
import { finished } from 'node:stream/promises';

/** Where the daemon listens: a unix socket, or host and port for tcp://. */
export type DockerEndpoint = { socketPath: string } | { host: string; port: number };

/** Docker answered outside 2xx (304 included); the message is Docker's own reason from the error body. */
export class DockerApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

export type DockerApiRequest = {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path and query string, ids already URL-encoded. */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  /**
   * A patient call has no socket timeout: Docker stays silent until a stop's grace period or a
   * pull is over, so the caller bounds it with `signal` instead.
   */
  isPatient?: boolean;
  /** Aborting destroys the request or the response being read, with an AbortError. */
  signal?: AbortSignal;
};

// Docker's error bodies are one short JSON object; past this, the rest is not read.
const MAX_ERROR_BODY_BYTES = 64 * 1024;
// As Node's global agent does: an idle pooled socket is closed after 5 s, before a proxy in front
// of a tcp:// daemon would close it under a request being sent.
const IDLE_SOCKET_MS = 5_000;

export class DockerApiTransport {
  // Pooled connections: the container list is polled, and a new unix connection per request costs
  // more than the request itself. Idle sockets are unref'd, so they never keep the process alive.
  private readonly agent = new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  private unreachable = 0;

  /** Requests that failed before Docker answered (refused, no socket, reset, connect timeout). */
  get unreachableCount(): number {
    return this.unreachable;
  }

  constructor(
    private readonly endpoint: DockerEndpoint,
    /** Longest silence of the socket for an ordinary call before it counts as the daemon not answering. */
    private readonly timeoutMs: number,
    /** How long a connection may take to open (a tcp:// host that is down answers nothing at all). */
    private readonly connectTimeoutMs = CONNECT_TIMEOUT_MS,
  ) {}

  /**
   * The response once Docker answers 2xx; the caller reads it to the end or destroys it. Any
   * other status rejects with DockerApiError after the error body is read.
   */
  open(request: DockerApiRequest): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
      const req = http.request({
        ...this.endpoint,
        agent: this.agent,
        method: request.method,
        path: request.path,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        signal: request.signal,
      });
      req.once('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => req.destroy(new DockerConnectTimeoutError(describeEndpoint(this.endpoint), this.connectTimeoutMs)),
          this.connectTimeoutMs,
        );
        socket.once('connect', () => clearTimeout(timer));
        req.once('close', () => clearTimeout(timer));
      });
      if (request.isPatient) {
        // A reused socket still carries the pool's idle timeout.
        req.setTimeout(0);
      } else {
        req.setTimeout(this.timeoutMs, () => {
          // The pool's idle timeout also fires while connecting: the connect deadline above answers that case.
          if (req.socket?.connecting) return;
          req.destroy(silenceError(this.timeoutMs));
        });
      }
      req.on('error', (error: Error & { code?: string }) => {
        // An abort is the caller's choice, not an outage.
        if (error.name !== 'AbortError') this.unreachable += 1;
        reject(error);
      });
      req.on('response', (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          // http.request's signal only ends the request; the body being read must stop too.
          if (request.signal) addAbortSignal(request.signal, response);
          resolve(response);
          return;
        }
        readBody(response, MAX_ERROR_BODY_BYTES).then((body) => reject(new DockerApiError(status, reasonOf(body, status))), reject);
      });
      req.end(payload);
    });
  }

  /** The JSON body of a 2xx answer, parsed once. */
  async json<T>(request: DockerApiRequest): Promise<T> {
    const body = await readBody(await this.open(request), Infinity);
    return JSON.parse(body.toString('utf8')) as T;
  }

  /** The raw body, never parsed; at most about maxBytes (the read stops at the chunk that reaches it). */
  async bytes(request: DockerApiRequest, maxBytes: number): Promise<Buffer> {
    return readBody(await this.open(request), maxBytes);
  }

  /** For answers whose body does not matter: it is read to the end so the socket goes back to the pool. */
  async send(request: DockerApiRequest): Promise<void> {
    const response = await this.open(request);
    response.resume();
    await finished(response);
  }
}

const CONNECT_TIMEOUT_MS = 5_000;

/** The daemon's address could not be connected to in time: down, or a firewall drops the packets. */
export class DockerConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(where: string, timeoutMs: number) {
    super(`Could not connect to the Docker daemon at ${where} within ${timeoutMs / 1000} s`);
    this.name = 'DockerConnectTimeoutError';
  }
}

function describeEndpoint(endpoint: DockerEndpoint): string {
  return 'socketPath' in endpoint ? endpoint.socketPath : `tcp://${endpoint.host}:${endpoint.port}`;
}

function silenceError(timeoutMs: number): Error {
  // The code is what isDaemonUnreachable and the error message go by.
  return Object.assign(new Error(`Docker sent nothing for ${timeoutMs} ms (timeout)`), { code: 'ETIMEDOUT' });
}

/** Docker's `message`, else the body's text, else the status. */
function reasonOf(body: Buffer, status: number): string {
  const text = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string' && parsed.message !== '') return parsed.message;
  } catch {
    // Proxies in front of a tcp:// daemon answer in plain text.
  }
  return text.slice(0, 2000) || `Docker answered HTTP ${status}`;
}

/**
 * Collects a body. Past maxBytes the response is destroyed instead of drained: its socket is then
 * not reused, which is cheaper than reading megabytes nobody wants.
 */
function readBody(response: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) {
        resolve(Buffer.concat(chunks));
        response.destroy();
      }
    });
    response.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    response.on('error', reject);
    response.on('close', () => {
      if (!response.complete)
        reject(Object.assign(new Error('Docker closed the connection mid-answer (socket hang up)'), { code: 'ECONNRESET' }));
    });
  });
}
