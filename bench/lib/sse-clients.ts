// Many text/event-stream clients on real sockets, as light as possible so that the measurement is
// the server's delivery and not this process's reading: plain TCP sockets speaking just enough
// HTTP/1.1 (one GET, then the raw chunked stream is scanned for frames, never decoded). Each client
// counts frames, and once armed notes when its next event frame arrived. Delivery latency is that
// arrival time minus the event's own `timestamp` (set by the server when it created the event;
// same host, same clock).
import net from 'node:net';

type Client = {
  socket: net.Socket;
  status: number;
  text: string;
  frames: number;
  armed: boolean;
  /** Epoch milliseconds (sub-millisecond) of the first event frame after arming. */
  arrivalMs: number | null;
  arrivalText: string;
  closed: boolean;
};

/** One thread's share of the clients (see sse-fanout.ts for the threads). */
export type FanoutClients = {
  count(): number;
  failed(): number;
  /** Resolves when every open client has received at least `frames` event frames. */
  waitForFrames(frames: number, timeoutMs: number): Promise<void>;
  arm(): void;
  /** Resolves when every open client has received an event frame since arm(); returns per-client delivery latencies (ms). */
  deliveries(timeoutMs: number): Promise<{ latencies: number[]; missing: number; event: string | null }>;
  close(): void;
};

const nowEpochMs = (): number => performance.timeOrigin + performance.now();

function countEventFrames(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\nevent: '); index !== -1; index = text.indexOf('\nevent: ', index + 1)) count += 1;
  return count;
}

function connectOne(url: string, headers: Record<string, string>): Promise<Client> {
  const target = new URL(url);
  const request =
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nAccept: text/event-stream\r\n` +
    Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    '\r\n';
  return new Promise((resolve) => {
    const client: Client = {
      socket: net.connect(Number(target.port), target.hostname),
      status: 0,
      text: '',
      frames: 0,
      armed: false,
      arrivalMs: null,
      arrivalText: '',
      closed: false,
    };
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      resolve(client);
    };
    client.socket.setNoDelay(true);
    client.socket.setEncoding('latin1');
    client.socket.once('connect', () => client.socket.write(request));
    client.socket.on('data', (chunk: string) => {
      if (client.armed) {
        if (client.arrivalMs === null && chunk.includes('event: ')) client.arrivalMs = nowEpochMs();
        if (client.arrivalMs !== null && client.arrivalText.length < 65_536) client.arrivalText += chunk;
        return;
      }
      client.text += chunk;
      if (client.status === 0) {
        const statusLine = /^HTTP\/1\.1 (\d{3})/.exec(client.text);
        if (statusLine) client.status = Number(statusLine[1]);
        settle();
      }
      client.frames = countEventFrames(client.text);
    });
    client.socket.on('close', () => {
      client.closed = true;
      settle();
    });
    client.socket.on('error', () => {
      client.closed = true;
      settle();
    });
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** Opens `count` clients in this thread, `parallel` connection attempts at a time. */
export async function connectClients(url: string, headers: Record<string, string>, count: number, parallel = 50): Promise<FanoutClients> {
  const clients: Client[] = [];
  for (let start = 0; start < count; start += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, count - start) }, () => connectOne(url, headers)));
    clients.push(...batch);
  }
  const open = (): Client[] => clients.filter((client) => client.status === 200 && !client.closed);
  return {
    count: () => open().length,
    failed: () => clients.length - open().length,
    async waitForFrames(frames, timeoutMs) {
      const ok = await until(() => open().every((client) => client.frames >= frames), timeoutMs);
      if (!ok) {
        const behind = open().filter((client) => client.frames < frames).length;
        throw new Error(`${behind} SSE clients did not receive ${frames} events within ${timeoutMs} ms`);
      }
    },
    arm() {
      for (const client of clients) client.armed = true;
    },
    async deliveries(timeoutMs) {
      await until(() => open().every((client) => client.arrivalMs !== null), timeoutMs);
      const latencies: number[] = [];
      let missing = 0;
      let event: string | null = null;
      for (const client of open()) {
        if (client.arrivalMs === null) {
          missing += 1;
          continue;
        }
        const eventMatch = /event: ([a-z-]+)\ndata: (.*)\n/.exec(client.arrivalText);
        const data = eventMatch ? (JSON.parse(eventMatch[2] as string) as { timestamp?: string }) : {};
        event ??= eventMatch?.[1] ?? null;
        const createdMs = Date.parse(data.timestamp ?? '');
        if (Number.isNaN(createdMs)) missing += 1;
        else latencies.push(client.arrivalMs - createdMs);
      }
      return { latencies, missing, event };
    },
    close() {
      for (const client of clients) client.socket.destroy();
    },
  };
}
