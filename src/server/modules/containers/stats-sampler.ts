// Live container stats without waiting on Docker: one streaming stats connection per running
// container, opened the first time its stats are asked for and closed after it has not been
// asked for a while. A request reads the latest samples from memory.
//
// Why streams: Docker collects stats on a one-second tick shared by every container. A stats
// call, even with one-shot=true, answers only at the next tick (and without one-shot after a
// second tick, for the CPU delta), so answering from stats calls costs one to two seconds per
// request however it is parallelised. A stream receives every tick; after its first sample a
// request just reads memory.
//
// The first request for containers that have no stream yet waits for that next tick: at most
// firstSampleWaitMs (1.2 s: one tick plus Docker's collection time) for the whole list, since
// all new streams receive the same tick. Containers still without a sample then get null and
// have stats on the next request.
import type { ContainerStats } from '../../../contracts/containers.js';
import type { Clock } from '../../infra/clock.js';
import type { ContainerStatsSample, DockerEngine } from '../../infra/docker/engine.js';
import { computeContainerStats } from './container-stats.js';

export type StatsSamplerOptions = {
  /** A stream nobody asked about for this long is closed. */
  idleMs?: number;
  /** How often idle streams are looked for. */
  sweepIntervalMs?: number;
  /** Open streams at most; containers beyond it get no stats until others go idle. */
  maxStreams?: number;
  /** How long after a stream opens requests wait for its first sample; after that they never wait on it. */
  firstSampleWaitMs?: number;
  /** A stream that ended without any sample is not reopened for this long (its container gets null). */
  retryAfterFailureMs?: number;
  onStreamError?: (containerId: string, error: unknown) => void;
};

type Entry = {
  controller: AbortController;
  previous: ContainerStatsSample | null;
  latest: ContainerStatsSample | null;
  startedAtMs: number | null;
  lastWantedMs: number;
  /** Settles once the first sample and the start time are known, or the stream has ended. */
  ready: Promise<void>;
  isReady: boolean;
  /** Requests wait for `ready` until then at the latest. */
  readyDeadlineMs: number;
  isForgotten: boolean;
};

export const STATS_SAMPLER_DEFAULTS = {
  idleMs: 3 * 60_000,
  sweepIntervalMs: 30_000,
  maxStreams: 200,
  firstSampleWaitMs: 1200,
  retryAfterFailureMs: 5000,
} as const;

export class StatsSampler {
  private readonly entries = new Map<string, Entry>();
  /** When a container's last stream ended without a sample (stopped meanwhile, gone, Docker refused). */
  private readonly failedAtMs = new Map<string, number>();
  private readonly options: Required<Omit<StatsSamplerOptions, 'onStreamError'>> & Pick<StatsSamplerOptions, 'onStreamError'>;
  private sweepTimer: NodeJS.Timeout | null = null;
  private isClosed = false;

  constructor(
    private readonly docker: DockerEngine,
    private readonly clock: Clock,
    options: StatsSamplerOptions = {},
  ) {
    this.options = { ...STATS_SAMPLER_DEFAULTS, ...options };
  }

  get openStreamCount(): number {
    return this.entries.size;
  }

  /**
   * Stats of running containers, by full container id. Streams are opened for containers that
   * have none; the call then waits for their first samples, at most until firstSampleWaitMs after
   * the streams opened (all at once, so the whole list waits one tick, not one per container). A
   * container without a sample by then maps to null, and later requests do not wait on it again.
   */
  async statsFor(containerIds: string[]): Promise<Map<string, ContainerStats | null>> {
    const nowMs = this.clock.nowMs();
    const pending: Promise<void>[] = [];
    let waitUntilMs = nowMs;
    for (const id of containerIds) {
      const entry = this.entries.get(id) ?? this.open(id);
      if (!entry) continue;
      entry.lastWantedMs = nowMs;
      if (!entry.isReady && entry.readyDeadlineMs > nowMs) {
        pending.push(entry.ready);
        waitUntilMs = Math.max(waitUntilMs, entry.readyDeadlineMs);
      }
    }
    if (pending.length > 0) await this.waitAtMost(Promise.all(pending), waitUntilMs - nowMs);
    const result = new Map<string, ContainerStats | null>();
    const readAtMs = this.clock.nowMs();
    for (const id of containerIds) {
      const entry = this.entries.get(id);
      result.set(
        id,
        entry?.latest
          ? computeContainerStats({ previous: entry.previous, latest: entry.latest, startedAtMs: entry.startedAtMs, nowMs: readAtMs })
          : null,
      );
    }
    return result;
  }

  /** Drops a container's stream (after it was stopped, restarted or removed through the API). */
  forget(containerId: string): void {
    this.failedAtMs.delete(containerId);
    const entry = this.entries.get(containerId);
    if (!entry) return;
    this.entries.delete(containerId);
    entry.isForgotten = true;
    entry.controller.abort();
    this.stopSweepWhenEmpty();
  }

  close(): void {
    this.isClosed = true;
    for (const id of [...this.entries.keys()]) this.forget(id);
  }

  private open(containerId: string): Entry | null {
    if (this.isClosed || this.entries.size >= this.options.maxStreams) return null;
    const failedAtMs = this.failedAtMs.get(containerId);
    if (failedAtMs !== undefined && this.clock.nowMs() - failedAtMs < this.options.retryAfterFailureMs) return null;
    this.failedAtMs.delete(containerId);
    let markSampled!: () => void;
    const sampled = new Promise<void>((resolve) => (markSampled = resolve));
    const entry: Entry = {
      controller: new AbortController(),
      previous: null,
      latest: null,
      startedAtMs: null,
      lastWantedMs: this.clock.nowMs(),
      ready: Promise.resolve(),
      isReady: false,
      readyDeadlineMs: this.clock.nowMs() + this.options.firstSampleWaitMs,
      isForgotten: false,
    };
    entry.ready = Promise.all([sampled, this.readStartTime(containerId, entry)]).then(() => {
      entry.isReady = true;
    });
    this.entries.set(containerId, entry);
    this.startSweep();
    void this.consume(containerId, entry, markSampled);
    return entry;
  }

  private async consume(containerId: string, entry: Entry, markSampled: () => void): Promise<void> {
    try {
      for await (const sample of this.docker.streamContainerStats(containerId, entry.controller.signal)) {
        // Docker keeps sending zeroed samples for a stopped container; a new stream is opened if it starts again.
        if (!sample.isRunning) break;
        if (entry.latest && sample.cpuTotalNs < entry.latest.cpuTotalNs) {
          // The counters started over: the container restarted between two samples.
          entry.previous = null;
          void this.readStartTime(containerId, entry);
        } else {
          entry.previous = entry.latest;
        }
        entry.latest = sample;
        markSampled();
      }
    } catch (error) {
      this.options.onStreamError?.(containerId, error);
    } finally {
      markSampled();
      if (!entry.latest && !entry.isForgotten) this.failedAtMs.set(containerId, this.clock.nowMs());
      if (this.entries.get(containerId) === entry) {
        this.entries.delete(containerId);
        this.stopSweepWhenEmpty();
      }
      entry.controller.abort();
    }
  }

  private async readStartTime(containerId: string, entry: Entry): Promise<void> {
    try {
      const details = await this.docker.inspectContainer(containerId);
      const startedAt = details?.state.startedAt;
      entry.startedAtMs = startedAt ? Date.parse(startedAt) : null;
    } catch (error) {
      this.options.onStreamError?.(containerId, error);
    }
  }

  private async waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  private startSweep(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => this.closeIdleStreams(), this.options.sweepIntervalMs);
    // Idle sweeping must never keep the process alive on its own.
    this.sweepTimer.unref();
  }

  private stopSweepWhenEmpty(): void {
    if (this.entries.size > 0 || !this.sweepTimer) return;
    clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  private closeIdleStreams(): void {
    const nowMs = this.clock.nowMs();
    for (const [id, failedAtMs] of this.failedAtMs) {
      if (nowMs - failedAtMs >= this.options.retryAfterFailureMs) this.failedAtMs.delete(id);
    }
    const cutoff = nowMs - this.options.idleMs;
    for (const [id, entry] of this.entries) {
      if (entry.lastWantedMs < cutoff) this.forget(id);
    }
  }
}
