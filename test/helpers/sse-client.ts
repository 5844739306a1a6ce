// A text/event-stream client over a real socket, for tests of GET /stream/progress: it parses
// frames as EventSource does and lets a test await the events it expects.
import http from 'node:http';

export type SseEvent = { id: string | null; event: string; data: string; json: Record<string, unknown> };

export type SseClient = {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The raw text received so far. */
  raw(): string;
  events: SseEvent[];
  comments: string[];
  retry: number | null;
  /** Resolves with the first event (from the start) matching, waiting for it if needed. */
  waitFor(predicate: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
};

export function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      let text = '';
      let pending = '';
      const waiters: { predicate: (event: SseEvent) => boolean; resolve: (event: SseEvent) => void }[] = [];
      let endResolve: () => void = () => undefined;
      const client: SseClient = {
        status: response.statusCode ?? 0,
        headers: response.headers,
        raw: () => text,
        events: [],
        comments: [],
        retry: null,
        waitFor(predicate, timeoutMs = 20_000) {
          const found = client.events.find(predicate);
          if (found) return Promise.resolve(found);
          return new Promise((resolveWait, rejectWait) => {
            const timer = setTimeout(
              () =>
                rejectWait(
                  new Error(`No matching SSE event within ${timeoutMs} ms; got: ${client.events.map((event) => event.event).join(', ')}`),
                ),
              timeoutMs,
            );
            waiters.push({
              predicate,
              resolve: (event) => {
                clearTimeout(timer);
                resolveWait(event);
              },
            });
          });
        },
        ended: new Promise<void>((resolveEnd) => (endResolve = resolveEnd)),
        close: () => {
          request.destroy();
          response.destroy();
        },
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        pending += chunk;
        for (let end = pending.indexOf('\n\n'); end !== -1; end = pending.indexOf('\n\n')) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          let id: string | null = null;
          let event = 'message';
          const data: string[] = [];
          let hasData = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments.push(line.slice(1).trim());
            else if (line.startsWith('retry:')) client.retry = Number(line.slice(6).trim());
            else if (line.startsWith('id:')) id = line.slice(3).trim();
            else if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) {
              data.push(line.slice(5).replace(/^ /, ''));
              hasData = true;
            }
          }
          if (!hasData) continue;
          const parsed: SseEvent = { id, event, data: data.join('\n'), json: JSON.parse(data.join('\n')) as Record<string, unknown> };
          client.events.push(parsed);
          for (const waiter of [...waiters]) {
            if (waiter.predicate(parsed)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(parsed);
            }
          }
        }
      });
      response.on('end', () => endResolve());
      response.on('close', () => endResolve());
      resolve(client);
    });
    request.on('error', reject);
  });
}

/** Reads a non-SSE answer of the stream route (an error before the stream started). */
export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
