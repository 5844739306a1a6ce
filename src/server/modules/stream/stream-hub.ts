// The progress stream's clients: who is connected, what each has subscribed to, and what each
// has been sent, so a subscription replays stored events in order and a reconnect resumes
// without gaps or duplicates.
//
// Delivery is pull-based from the event store: a subscription holds a cursor (the last stored
// event id it was sent) and is caught up by reading the store; a live event is written directly
// only when the subscription is already caught up. A client whose socket stops draining is
// paused (nothing more is buffered for it) and caught up from the store once it drains, or
// dropped if it never does. So memory per client stays bounded and nobody waits on anybody.
import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import { formatSseEvent, PING_FRAME, RETRY_FRAME } from './sse-frame.js';
import { isSameOwner, notYourStream, RevokedClients, streamEnded, type OwnerCheck, type StreamOwner } from './stream-owners.js';
import {
  DEFAULT_STREAM_OPTIONS,
  type ConnectOptions,
  type SentRecord,
  type SseConnection,
  type StreamableEvent,
  type StreamClient as Client,
  type StreamEventSource,
  type StreamHubOptions,
  type Subscription,
} from './stream-types.js';

const CLIENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class StreamHub {
  private readonly clients = new Map<string, Client>();
  /** The disconnected clients kept for a resume, oldest disconnect first: trimming and expiry take from the front. */
  private readonly disconnected = new Map<string, Client>();
  private readonly subscribers = new Map<string, Set<Client>>();
  private readonly options: StreamHubOptions;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly revoked: RevokedClients;
  private isClosed = false;

  constructor(
    private readonly source: StreamEventSource,
    private readonly clock: Clock,
    options: Partial<StreamHubOptions> = {},
    private readonly isOwnerLive: OwnerCheck = () => true,
  ) {
    this.options = { ...DEFAULT_STREAM_OPTIONS, ...options };
    this.revoked = new RevokedClients(this.options.maxRememberedClients, this.options.resumeWindowMs);
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  get connectionCount(): number {
    return this.clients.size - this.disconnected.size;
  }

  /** Clients known: connected ones and disconnected ones still within the resume window. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Disconnected clients kept for a resume; never more than maxRememberedClients. */
  get rememberedClientCount(): number {
    return this.disconnected.size;
  }

  /**
   * Throws before a connection is accepted: when the server is closing or full, when `clientId`
   * names a stream that ended with its session (401), or one bound to another credential (403).
   */
  assertCanConnect(resume: { clientId?: string; owner?: StreamOwner | null } = {}): void {
    if (resume.clientId && this.revoked.has(resume.clientId)) throw streamEnded();
    const known = resume.clientId ? this.clients.get(resume.clientId) : undefined;
    if (known?.owner) {
      if (!this.isOwnerLive(known.owner)) {
        this.revoke(known);
        throw streamEnded();
      }
      if (resume.owner && !isSameOwner(known.owner, resume.owner)) throw notYourStream();
    }
    if (this.isClosed) throw new AppError('INTERNAL', 'The server is shutting down', 'Reconnect in a few seconds');
    if (this.connectionCount >= this.options.maxConnections) {
      throw new AppError(
        'RATE_LIMITED',
        'Too many progress streams are open',
        `This server accepts ${this.options.maxConnections} streams at once; retry shortly`,
        {
          retryAfterSeconds: 5,
        },
      );
    }
  }

  /**
   * Starts the stream on a connection: retry, then `connected`, then (when resuming) everything
   * the client's subscriptions missed, and a subscription to `deploymentId` when given.
   */
  connect(connection: SseConnection, options: ConnectOptions = {}): { clientId: string; resumed: boolean } {
    const known = options.clientId && CLIENT_ID.test(options.clientId) ? this.clients.get(options.clientId) : undefined;
    const client = known ?? this.createClient();
    const resumed = known !== undefined;
    if (options.owner && !client.owner) client.owner = options.owner;
    if (client.connection) {
      // The same client reconnected before its old connection was noticed as gone.
      const old = client.connection;
      this.detach(client);
      old.destroy();
    }
    const resubscribe = resumed ? this.rewind(client, options.lastEventId) : [];
    client.connection = connection;
    client.disconnectedAtMs = null;
    this.disconnected.delete(client.id);
    connection.onClose(() => {
      if (client.connection === connection) this.detach(client);
    });
    connection.write(RETRY_FRAME);
    this.send(client, 'connected', {
      clientId: client.id,
      message: resumed ? 'Reconnected to the progress stream; missed events follow' : 'Connected to the progress stream',
      resumed,
      timestamp: this.clock.now().toISOString(),
    });
    for (const subscription of resubscribe) this.sendSubscribed(client, subscription);
    if (options.deploymentId) this.addSubscription(client, options.deploymentId, resumed ? null : parseEventId(options.lastEventId));
    else this.pump(client);
    return { clientId: client.id, resumed };
  }

  /**
   * Subscribes a client to a deployment: every stored event of it is sent in order, then live
   * ones. Subscribing again is harmless (nothing is sent twice). Unknown client → 404.
   */
  subscribe(clientId: string, deploymentId: string, owner: StreamOwner | null = null): void {
    if (this.revoked.has(clientId)) throw streamEnded();
    const client = CLIENT_ID.test(clientId) ? this.clients.get(clientId) : undefined;
    if (!client) {
      throw new AppError(
        'NOT_FOUND',
        'Stream client not found',
        'Open GET /stream/progress first and use the clientId of its connected event',
      );
    }
    if (client.owner && owner && !isSameOwner(client.owner, owner)) throw notYourStream();
    if (owner && !client.owner) client.owner = owner;
    this.addSubscription(client, deploymentId, null);
  }

  /**
   * Ends the streams whose session or API key no longer stands (logout, password change, revoked
   * key, deleted user) and refuses their resume. Called after auth writes and on every heartbeat.
   */
  revalidateOwners(): void {
    for (const client of [...this.clients.values()]) {
      if (client.owner && !this.isOwnerLive(client.owner)) this.revoke(client);
    }
  }

  private revoke(client: Client): void {
    const connection = client.connection;
    this.detach(client);
    this.forget(client);
    connection?.end();
    this.revoked.add(client.id, this.clock.nowMs());
  }

  /**
   * A connection opened with ?deploymentId= numbers its events the same way every time: connected
   * 1, deployment-subscribed 2, then the deployment's stored events from 3 in order. So when a
   * browser's EventSource reconnects on its own (same URL, no clientId, but Last-Event-ID), the
   * events it already has are known and skipped: `receivedId` is that Last-Event-ID.
   */
  private addSubscription(client: Client, deploymentId: string, receivedId: number | null): void {
    let subscription = client.subscriptions.get(deploymentId);
    if (!subscription) {
      subscription = { deploymentId, cursor: 0, subscribedSeq: 0, trimmed: { seq: 0, cursor: 0 } };
      client.subscriptions.set(deploymentId, subscription);
      let set = this.subscribers.get(deploymentId);
      if (!set) {
        set = new Set();
        this.subscribers.set(deploymentId, set);
      }
      set.add(client);
      this.sendSubscribed(client, subscription);
      if (receivedId !== null && receivedId > client.seq) {
        const received = this.source.eventsAfter(deploymentId, 0, receivedId - client.seq);
        subscription.cursor = received.at(-1)?.id ?? 0;
        client.seq += received.length;
        // What the client got on its earlier connection counts as sent, should it resume by clientId later.
        subscription.trimmed = { seq: client.seq, cursor: subscription.cursor };
      }
    }
    this.pump(client);
  }

  /**
   * A deployment event was stored: forward it to subscriptions that are caught up. A connected,
   * unpaused subscription always is (subscribe and drain pump it to the end of the store, and
   * events are stored and published in one synchronous step), so this is the next event for it.
   */
  publish(event: StreamableEvent): void {
    const set = this.subscribers.get(event.deploymentId);
    if (!set) return;
    for (const client of set) {
      const subscription = client.subscriptions.get(event.deploymentId);
      if (!subscription || !client.connection || client.isPaused || event.id <= subscription.cursor) continue;
      this.sendStored(client, subscription, event);
      if (this.isCongested(client)) this.pause(client);
    }
  }

  /** Ends every stream cleanly (server shutdown) and stops the timers. */
  close(): void {
    this.isClosed = true;
    clearInterval(this.heartbeat);
    for (const client of this.clients.values()) {
      const connection = client.connection;
      this.detach(client);
      connection?.end();
    }
    this.clients.clear();
    this.disconnected.clear();
    this.subscribers.clear();
  }

  private createClient(): Client {
    const client: Client = {
      id: randomUUID(),
      owner: null,
      seq: 0,
      subscriptions: new Map(),
      sent: [],
      connection: null,
      disconnectedAtMs: null,
      isPaused: false,
      stallTimer: null,
    };
    this.clients.set(client.id, client);
    return client;
  }

  /**
   * Resets each subscription's cursor to what the client had received up to `lastEventId`, so the
   * pump resends exactly the rest. Returns the subscriptions whose subscribed event was missed.
   */
  private rewind(client: Client, lastEventId: string | undefined): Subscription[] {
    const received = Math.min(parseEventId(lastEventId) ?? 0, client.seq);
    const cursors = new Map<string, number>();
    for (let index = client.sent.length - 1; index >= 0; index -= 1) {
      const record = client.sent[index] as SentRecord;
      if (record.seq <= received && !cursors.has(record.deploymentId)) cursors.set(record.deploymentId, record.eventId);
    }
    client.sent = client.sent.filter((record) => record.seq <= received);
    const missedSubscribed: Subscription[] = [];
    for (const subscription of client.subscriptions.values()) {
      const fromRecords = cursors.get(subscription.deploymentId);
      if (fromRecords !== undefined) subscription.cursor = fromRecords;
      else subscription.cursor = received >= subscription.trimmed.seq ? subscription.trimmed.cursor : 0;
      if (subscription.subscribedSeq > received) missedSubscribed.push(subscription);
    }
    return missedSubscribed;
  }

  private send(client: Client, event: string, data: Record<string, unknown>): number {
    client.seq += 1;
    client.connection?.write(formatSseEvent(client.seq, event, data));
    return client.seq;
  }

  private sendSubscribed(client: Client, subscription: Subscription): void {
    if (!client.connection) return;
    subscription.subscribedSeq = this.send(client, 'deployment-subscribed', {
      deploymentId: subscription.deploymentId,
      message: `Subscribed to deployment ${subscription.deploymentId}; its events so far follow, then live ones`,
      timestamp: this.clock.now().toISOString(),
    });
  }

  private sendStored(client: Client, subscription: Subscription, event: StreamableEvent): void {
    const seq = this.send(client, event.event, event.data);
    subscription.cursor = event.id;
    client.sent.push({ seq, deploymentId: subscription.deploymentId, eventId: event.id });
    if (client.sent.length > this.options.maxSentRecords) {
      const dropped = client.sent.splice(0, client.sent.length - this.options.maxSentRecords);
      for (const record of dropped) {
        const owner = client.subscriptions.get(record.deploymentId);
        if (owner) owner.trimmed = { seq: record.seq, cursor: record.eventId };
      }
    }
  }

  /** Sends every stored event the client's subscriptions have not had yet, pausing when the socket fills. */
  private pump(client: Client): void {
    for (const subscription of client.subscriptions.values()) {
      for (;;) {
        if (!client.connection || client.isPaused) return;
        const events = this.source.eventsAfter(subscription.deploymentId, subscription.cursor, this.options.pageSize);
        for (const event of events) this.sendStored(client, subscription, event);
        if (this.isCongested(client)) {
          this.pause(client);
          return;
        }
        if (events.length < this.options.pageSize) break;
      }
    }
  }

  private isCongested(client: Client): boolean {
    return (client.connection?.bufferedBytes ?? 0) > this.options.highWaterBytes;
  }

  private pause(client: Client): void {
    const connection = client.connection;
    if (!connection || client.isPaused) return;
    client.isPaused = true;
    connection.onceDrained(() => {
      if (client.connection !== connection) return;
      client.isPaused = false;
      this.clearStall(client);
      this.pump(client);
    });
    client.stallTimer = setTimeout(() => {
      // The client reads nothing: drop it rather than hold its backlog. It can resume within the window.
      if (client.connection === connection && client.isPaused) {
        this.detach(client);
        connection.destroy();
      }
    }, this.options.stallTimeoutMs);
    client.stallTimer.unref();
  }

  private clearStall(client: Client): void {
    if (client.stallTimer) clearTimeout(client.stallTimer);
    client.stallTimer = null;
  }

  private detach(client: Client): void {
    client.connection = null;
    client.isPaused = false;
    client.disconnectedAtMs = this.clock.nowMs();
    this.clearStall(client);
    if (!this.clients.has(client.id)) return;
    // Re-inserted at the end: the map stays in order of disconnection.
    this.disconnected.delete(client.id);
    this.disconnected.set(client.id, client);
    while (this.disconnected.size > this.options.maxRememberedClients) {
      const oldest = this.disconnected.values().next();
      if (oldest.done) break;
      this.forget(oldest.value);
    }
  }

  private forget(client: Client): void {
    this.clients.delete(client.id);
    this.disconnected.delete(client.id);
    for (const deploymentId of client.subscriptions.keys()) {
      const set = this.subscribers.get(deploymentId);
      set?.delete(client);
      if (set?.size === 0) this.subscribers.delete(deploymentId);
    }
  }

  private beat(): void {
    const now = this.clock.nowMs();
    // Sessions also end by expiry, or by another process (the CLI): caught here, within a heartbeat.
    this.revalidateOwners();
    this.revoked.expire(now);
    for (const client of this.clients.values()) {
      if (client.connection && !client.isPaused) client.connection.write(PING_FRAME);
    }
    for (const client of [...this.disconnected.values()]) {
      if (now - (client.disconnectedAtMs ?? now) <= this.options.resumeWindowMs) break;
      this.forget(client);
    }
  }
}

function parseEventId(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : null;
}
