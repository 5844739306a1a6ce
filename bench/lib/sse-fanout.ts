// Many text/event-stream clients on real sockets, as light as possible: each keeps its raw text
// and counts frames, and once armed notes when its next event frame arrived. Delivery latency is
// that arrival time minus the event's own `timestamp` (set by the server when it created the
// event; same host, same clock).
import http from 'node:http';

type Client = {
  request: http.ClientRequest;
  status: number;
  text: string;
  frames: number;
  armed: boolean;
  /** Epoch milliseconds (sub-millisecond) of the first event frame after arming. */
  arrivalMs: number | null;
  arrivalText: string;
  closed: boolean;
};

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
  return new Promise((resolve) => {
    const client: Client = {
      request: null as unknown as http.ClientRequest,
      status: 0,
      text: '',
      frames: 0,
      armed: false,
      arrivalMs: null,
      arrivalText: '',
      closed: false,
    };
    client.request = http.get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      client.status = response.statusCode ?? 0;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (client.armed) {
          if (client.arrivalMs === null && chunk.includes('\nevent: ')) {
            client.arrivalMs = nowEpochMs();
            client.arrivalText = chunk;
          }
          return;
        }
        client.text += chunk;
        client.frames = countEventFrames(client.text);
      });
      response.on('close', () => (client.closed = true));
      resolve(client);
    });
    client.request.on('error', () => {
      client.closed = true;
      resolve(client);
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

/** Opens `count` clients, `parallel` connection attempts at a time. */
export async function connectFanout(url: string, headers: Record<string, string>, count: number, parallel = 50): Promise<FanoutClients> {
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
        const eventMatch = /\nevent: ([a-z-]+)\ndata: (.*)\n/.exec(client.arrivalText);
        const data = eventMatch ? (JSON.parse(eventMatch[2] as string) as { timestamp?: string }) : {};
        event ??= eventMatch?.[1] ?? null;
        const createdMs = Date.parse(data.timestamp ?? '');
        if (Number.isNaN(createdMs)) missing += 1;
        else latencies.push(client.arrivalMs - createdMs);
      }
      return { latencies, missing, event };
    },
    close() {
      for (const client of clients) client.request.destroy();
    },
  };
}
