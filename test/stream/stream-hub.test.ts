import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/server/infra/clock.js';
import { formatSseEvent } from '../../src/server/modules/stream/sse-frame.js';
import { StreamHub } from '../../src/server/modules/stream/stream-hub.js';
import type { SseConnection, StreamableEvent, StreamHubOptions } from '../../src/server/modules/stream/stream-types.js';

class FakeConnection implements SseConnection {
  text = '';
  bufferedBytes = 0;
  /** When set, written bytes stay buffered until drain(). */
  isSlow = false;
  isEnded = false;
  isDestroyed = false;
  private drainListeners: (() => void)[] = [];
  private closeListeners: (() => void)[] = [];
  private destroyedWaiters: (() => void)[] = [];

  write(chunk: string): void {
    this.text += chunk;
    if (this.isSlow) this.bufferedBytes += chunk.length;
  }
  onceDrained(listener: () => void): void {
    this.drainListeners.push(listener);
  }
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }
  end(): void {
    this.isEnded = true;
    this.closeByPeer();
  }
  destroy(): void {
    this.isDestroyed = true;
    for (const resolve of this.destroyedWaiters.splice(0)) resolve();
    this.closeByPeer();
  }
  drain(): void {
    this.bufferedBytes = 0;
    this.isSlow = false;
    for (const listener of this.drainListeners.splice(0)) listener();
  }
  closeByPeer(): void {
    for (const listener of this.closeListeners.splice(0)) listener();
  }
  destroyed(): Promise<void> {
    return this.isDestroyed ? Promise.resolve() : new Promise((resolve) => this.destroyedWaiters.push(resolve));
  }
  /** The events written, parsed back. */
  events(): { id: number; event: string; data: Record<string, unknown> }[] {
    return [...this.text.matchAll(/id: (\d+)\nevent: ([a-z-]+)\ndata: (.*)\n\n/g)].map((match) => ({
      id: Number(match[1]),
      event: match[2] as string,
      data: JSON.parse(match[3] as string) as Record<string, unknown>,
    }));
  }
}

class MemoryStore {
  readonly events: StreamableEvent[] = [];
  hub: StreamHub | null = null;
  append(deploymentId: string, n: number): StreamableEvent {
    const event = { id: this.events.length + 1, deploymentId, event: 'command-output', data: { deploymentId, output: `line ${n}` } };
    this.events.push(event);
    this.hub?.publish(event);
    return event;
  }
  eventsAfter(deploymentId: string, afterId: number, limit: number): StreamableEvent[] {
    return this.events.filter((event) => event.deploymentId === deploymentId && event.id > afterId).slice(0, limit);
  }
}

const A = 'aaaaaaaa-0000-4000-8000-000000000000';
const B = 'bbbbbbbb-0000-4000-8000-000000000000';

let nowMs = 1_700_000_000_000;
const clock: Clock = { now: () => new Date(nowMs), nowMs: () => nowMs };
const hubs: StreamHub[] = [];

function setup(options: Partial<StreamHubOptions> = {}): { hub: StreamHub; store: MemoryStore } {
  const store = new MemoryStore();
  const hub = new StreamHub(store, clock, { pageSize: 3, ...options });
  store.hub = hub;
  hubs.push(hub);
  return { hub, store };
}

afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
});

const outputs = (connection: FakeConnection, deploymentId = A): string[] =>
  connection
    .events()
    .filter((event) => event.event === 'command-output' && event.data.deploymentId === deploymentId)
    .map((event) => String(event.data.output));

describe('StreamHub memory', () => {
  it('keeps at most maxRememberedClients disconnected clients, forgetting the oldest disconnect first', () => {
    const { hub } = setup({ maxRememberedClients: 3 });
    const connections = Array.from({ length: 6 }, () => new FakeConnection());
    const ids = connections.map((connection) => hub.connect(connection).clientId);
    // Connected clients are never dropped for the bound, however many there are.
    expect(hub.connectionCount).toBe(6);
    expect(hub.rememberedClientCount).toBe(0);
    for (const connection of connections) connection.closeByPeer();
    expect(hub.connectionCount).toBe(0);
    expect(hub.rememberedClientCount).toBe(3);
    expect(hub.clientCount).toBe(3);
    expect(hub.connect(new FakeConnection(), { clientId: ids[0] as string }).resumed).toBe(false);
    expect(hub.connect(new FakeConnection(), { clientId: ids[5] as string }).resumed).toBe(true);
  });

  it('forgets disconnected clients once the resume window has passed', () => {
    const { hub } = setup({ heartbeatMs: 20, resumeWindowMs: 1_000 });
    const connection = new FakeConnection();
    hub.connect(connection);
    connection.closeByPeer();
    expect(hub.rememberedClientCount).toBe(1);
    nowMs += 1_001;
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(hub.rememberedClientCount).toBe(0);
        expect(hub.clientCount).toBe(0);
        resolve();
      }, 60),
    );
  });
});

describe('StreamHub', () => {
  it('starts every stream with retry: 3000 and a connected event carrying the clientId', () => {
    const { hub } = setup();
    const connection = new FakeConnection();
    const { clientId } = hub.connect(connection);
    expect(connection.text.startsWith('retry: 3000\n\nid: 1\nevent: connected\n')).toBe(true);
    expect(connection.events()).toEqual([
      {
        id: 1,
        event: 'connected',
        data: { clientId, message: 'Connected to the progress stream', resumed: false, timestamp: expect.any(String) },
      },
    ]);
  });

  it('sends no deployment event to a client that has not subscribed', () => {
    const { hub, store } = setup();
    const connection = new FakeConnection();
    hub.connect(connection);
    store.append(A, 1);
    expect(connection.events().map((event) => event.event)).toEqual(['connected']);
  });

  it('replays every stored event in order on subscribe, then forwards live ones, ids increasing', () => {
    const { hub, store } = setup();
    for (let n = 1; n <= 7; n += 1) store.append(A, n);
    store.append(B, 100);
    const connection = new FakeConnection();
    const { clientId } = hub.connect(connection);
    hub.subscribe(clientId, A);
    store.append(A, 8);
    store.append(B, 101);
    expect(outputs(connection)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8']);
    expect(outputs(connection, B)).toEqual([]);
    const ids = connection.events().map((event) => event.id);
    expect(ids).toEqual(ids.map((_, index) => index + 1));
    expect(connection.events()[1]).toMatchObject({ event: 'deployment-subscribed', data: { deploymentId: A } });
  });

  it('sends nothing twice when a client subscribes again', () => {
    const { hub, store } = setup();
    store.append(A, 1);
    const connection = new FakeConnection();
    const { clientId } = hub.connect(connection);
    hub.subscribe(clientId, A);
    hub.subscribe(clientId, A);
    expect(connection.events().map((event) => event.event)).toEqual(['connected', 'deployment-subscribed', 'command-output']);
  });

  it('refuses to subscribe a client it does not know', () => {
    const { hub } = setup();
    expect(() => hub.subscribe('cccccccc-0000-4000-8000-000000000000', A)).toThrowError(
      expect.objectContaining({ code: 'NOT_FOUND', status: 404 }),
    );
  });

  it('resumes with clientId and Last-Event-ID without gaps or duplicates', () => {
    const { hub, store } = setup();
    const first = new FakeConnection();
    const { clientId } = hub.connect(first);
    hub.subscribe(clientId, A);
    hub.subscribe(clientId, B);
    for (let n = 1; n <= 4; n += 1) store.append(A, n);
    store.append(B, 50);
    // The client saw everything up to "line 2"; the rest was lost with the connection.
    const lastSeen = first.events().find((event) => event.data.output === 'line 2')?.id;
    first.closeByPeer();
    store.append(A, 5);
    store.append(B, 51);

    const second = new FakeConnection();
    const resumed = hub.connect(second, { clientId, lastEventId: String(lastSeen) });
    expect(resumed).toEqual({ clientId, resumed: true });
    store.append(A, 6);
    expect(outputs(second)).toEqual(['line 3', 'line 4', 'line 5', 'line 6']);
    expect(outputs(second, B)).toEqual(['line 50', 'line 51']);
    expect(second.events()[0]).toMatchObject({ event: 'connected', data: { clientId, resumed: true } });
    const firstIds = first
      .events()
      .filter((event) => event.id <= (lastSeen ?? 0))
      .map((event) => event.id);
    const secondIds = second.events().map((event) => event.id);
    expect(Math.min(...secondIds)).toBeGreaterThan(Math.max(...firstIds));
  });

  it('numbers a ?deploymentId= connection the same way every time, so an EventSource reconnect skips what it has', () => {
    const { hub, store } = setup();
    for (let n = 1; n <= 5; n += 1) store.append(A, n);
    const first = new FakeConnection();
    hub.connect(first, { deploymentId: A });
    expect(first.events().map((event) => [event.id, event.event, event.data.output])).toEqual([
      [1, 'connected', undefined],
      [2, 'deployment-subscribed', undefined],
      [3, 'command-output', 'line 1'],
      [4, 'command-output', 'line 2'],
      [5, 'command-output', 'line 3'],
      [6, 'command-output', 'line 4'],
      [7, 'command-output', 'line 5'],
    ]);
    first.closeByPeer();
    store.append(A, 6);
    // The browser had received up to id 5 ("line 3") and reconnects with the same URL.
    const second = new FakeConnection();
    const { clientId } = hub.connect(second, { deploymentId: A, lastEventId: '5' });
    store.append(A, 7);
    expect(second.events().map((event) => [event.id, event.event, event.data.output])).toEqual([
      [1, 'connected', undefined],
      [2, 'deployment-subscribed', undefined],
      [6, 'command-output', 'line 4'],
      [7, 'command-output', 'line 5'],
      [8, 'command-output', 'line 6'],
      [9, 'command-output', 'line 7'],
    ]);
    second.closeByPeer();
    const third = new FakeConnection();
    hub.connect(third, { clientId, lastEventId: '7' });
    expect(outputs(third)).toEqual(['line 6', 'line 7']);
  });

  it('resends the subscribed event a resuming client missed', () => {
    const { hub, store } = setup();
    const first = new FakeConnection();
    const { clientId } = hub.connect(first);
    hub.subscribe(clientId, A);
    store.append(A, 1);
    first.closeByPeer();
    const second = new FakeConnection();
    hub.connect(second, { clientId, lastEventId: '1' });
    expect(second.events().map((event) => event.event)).toEqual(['connected', 'deployment-subscribed', 'command-output']);
  });

  it('still resumes without gaps after old sent records were trimmed', () => {
    const { hub, store } = setup({ maxSentRecords: 2 });
    const first = new FakeConnection();
    const { clientId } = hub.connect(first);
    hub.subscribe(clientId, A);
    for (let n = 1; n <= 6; n += 1) store.append(A, n);
    const lastSeen = first.events().at(-1)?.id;
    first.closeByPeer();
    store.append(A, 7);
    const second = new FakeConnection();
    hub.connect(second, { clientId, lastEventId: String(lastSeen) });
    expect(outputs(second)).toEqual(['line 7']);
  });

  it('treats an unknown clientId as a new client', () => {
    const { hub } = setup();
    const connection = new FakeConnection();
    const result = hub.connect(connection, { clientId: 'cccccccc-0000-4000-8000-000000000000', lastEventId: '5' });
    expect(result.resumed).toBe(false);
    expect(result.clientId).not.toBe('cccccccc-0000-4000-8000-000000000000');
  });

  it('forgets a disconnected client after the resume window', async () => {
    const { hub } = setup({ resumeWindowMs: 1000, heartbeatMs: 10 });
    const first = new FakeConnection();
    const { clientId } = hub.connect(first);
    first.closeByPeer();
    nowMs += 1001;
    await expect.poll(() => hub.clientCount, { timeout: 2000, interval: 5 }).toBe(0);
    expect(hub.connect(new FakeConnection(), { clientId }).resumed).toBe(false);
  });

  it('pauses a client whose socket stops draining and catches it up from the store afterwards', () => {
    const { hub, store } = setup({ highWaterBytes: 300 });
    const slow = new FakeConnection();
    const fast = new FakeConnection();
    const slowClient = hub.connect(slow).clientId;
    const fastClient = hub.connect(fast).clientId;
    hub.subscribe(slowClient, A);
    hub.subscribe(fastClient, A);
    slow.isSlow = true;
    for (let n = 1; n <= 20; n += 1) store.append(A, n);
    const written = outputs(slow).length;
    expect(written).toBeLessThan(20);
    expect(slow.bufferedBytes).toBeLessThan(300 + 200);
    expect(outputs(fast)).toHaveLength(20);
    slow.drain();
    expect(outputs(slow)).toEqual(Array.from({ length: 20 }, (_, index) => `line ${index + 1}`));
  });

  it('drops a client that does not drain within the stall timeout', async () => {
    const { hub, store } = setup({ highWaterBytes: 10, stallTimeoutMs: 20 });
    const slow = new FakeConnection();
    const { clientId } = hub.connect(slow);
    hub.subscribe(clientId, A);
    slow.isSlow = true;
    store.append(A, 1);
    await slow.destroyed();
    expect(hub.connectionCount).toBe(0);
    const again = new FakeConnection();
    expect(hub.connect(again, { clientId, lastEventId: '2' }).resumed).toBe(true);
  });

  it('sends a ping comment every heartbeat', async () => {
    const { hub } = setup({ heartbeatMs: 10 });
    const connection = new FakeConnection();
    hub.connect(connection);
    await expect.poll(() => connection.text.includes('\n\n: ping\n\n'), { timeout: 2000, interval: 5 }).toBe(true);
  });

  it('ends every stream cleanly on close and accepts no new one', () => {
    const { hub } = setup();
    const connection = new FakeConnection();
    hub.connect(connection);
    hub.close();
    expect(connection.isEnded).toBe(true);
    expect(() => hub.assertCanConnect()).toThrowError(expect.objectContaining({ code: 'INTERNAL' }));
  });

  it('refuses connections beyond its limit with a retry hint', () => {
    const { hub } = setup({ maxConnections: 1 });
    hub.connect(new FakeConnection());
    expect(() => hub.assertCanConnect()).toThrowError(expect.objectContaining({ code: 'RATE_LIMITED', extra: { retryAfterSeconds: 5 } }));
  });
});

describe('formatSseEvent', () => {
  it('writes id, event and one data line of JSON', () => {
    expect(formatSseEvent(7, 'command-output', { output: 'a\nb' })).toBe('id: 7\nevent: command-output\ndata: {"output":"a\\nb"}\n\n');
  });

  it('never writes an event named error', () => {
    expect(() => formatSseEvent(1, 'error', {})).toThrowError(/Not an allowed SSE event name/);
  });
});
