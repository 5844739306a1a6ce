// The progress stream's shapes: the connection it writes to, the event store it reads, its
// limits, and what it keeps per client (subscriptions with cursors, sent records for a resume).
import type { StreamOwner } from './stream-owners.js';

/** An open text/event-stream response, as the hub needs it. */
export interface SseConnection {
  write(chunk: string): void;
  /** Bytes written but not yet taken by the kernel. */
  readonly bufferedBytes: number;
  /** Calls listener once when the buffer has drained. */
  onceDrained(listener: () => void): void;
  onClose(listener: () => void): void;
  /** Ends the response cleanly. */
  end(): void;
  /** Drops the connection at once. */
  destroy(): void;
}

/** A stored deployment event, as the store hands it out. */
export type StreamableEvent = { id: number; deploymentId: string; event: string; data: Record<string, unknown> };

export interface StreamEventSource {
  eventsAfter(deploymentId: string, afterId: number, limit: number): StreamableEvent[];
}

export type StreamHubOptions = {
  heartbeatMs: number;
  /** How long a disconnected client's subscriptions are kept for a resume. */
  resumeWindowMs: number;
  /** Above this many unsent bytes a client is paused instead of buffered further. */
  highWaterBytes: number;
  /** A paused client whose socket does not drain for this long is disconnected. */
  stallTimeoutMs: number;
  maxConnections: number;
  /** Disconnected clients remembered for resume, at most. */
  maxRememberedClients: number;
  /** Sent-event records kept per client for resume. */
  maxSentRecords: number;
  pageSize: number;
};

export const DEFAULT_STREAM_OPTIONS: StreamHubOptions = {
  heartbeatMs: 15_000,
  resumeWindowMs: 5 * 60_000,
  highWaterBytes: 256 * 1024,
  stallTimeoutMs: 30_000,
  maxConnections: 5000,
  maxRememberedClients: 5000,
  maxSentRecords: 20_000,
  pageSize: 200,
};

export type Subscription = {
  deploymentId: string;
  /** Id of the last stored event sent on this subscription. */
  cursor: number;
  /** Stream id of the deployment-subscribed event. */
  subscribedSeq: number;
  /** Where the trimmed part of the sent records left this subscription. */
  trimmed: { seq: number; cursor: number };
};

export type SentRecord = { seq: number; deploymentId: string; eventId: number };

export type StreamClient = {
  id: string;
  /** Bound by the first authenticated connect or subscribe; null while anonymous (or with auth off). */
  owner: StreamOwner | null;
  /** The last stream id sent to this client; ids never repeat within a client. */
  seq: number;
  subscriptions: Map<string, Subscription>;
  sent: SentRecord[];
  connection: SseConnection | null;
  disconnectedAtMs: number | null;
  isPaused: boolean;
  stallTimer: NodeJS.Timeout | null;
};

export type ConnectOptions = { clientId?: string; lastEventId?: string; deploymentId?: string; owner?: StreamOwner | null };
