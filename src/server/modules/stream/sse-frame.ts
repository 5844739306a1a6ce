// The text/event-stream wire format. One event is `id:`, `event:` and a single `data:` line of
// JSON (JSON.stringify escapes line breaks, so the data never spans lines), then a blank line.

/** Tells EventSource to wait 3 s before reconnecting; the first thing every connection receives. */
export const RETRY_FRAME = 'retry: 3000\n\n';
/** A comment line: keeps proxies from closing an idle connection; EventSource ignores it. */
export const PING_FRAME = ': ping\n\n';

const EVENT_NAME = /^[a-z][a-z-]*$/;

export function formatSseEvent(id: number, event: string, data: unknown): string {
  // "error" is the browser's own EventSource event: a server event of that name would be mistaken for a dropped connection.
  if (event === 'error' || !EVENT_NAME.test(event)) throw new Error(`Not an allowed SSE event name: ${event}`);
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
