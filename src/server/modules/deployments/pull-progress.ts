// Turns Docker's per-layer pull messages into one figure per image: bytes done of bytes known,
// a percentage that never goes backwards, and a throttle so a fast pull does not flood the stream.
import type { PullMessage } from '../../infra/docker/engine.js';

export type LayerState = { status: string; current: number; total: number };

export type PullSnapshot = { percent: number; bytesDone: number; bytesTotal: number; layers: Record<string, LayerState> };

const FINISHED_STATUSES = new Set(['Pull complete', 'Already exists', 'Download complete', 'Verifying Checksum', 'Extracting']);
const DONE_STATUSES = new Set(['Pull complete', 'Already exists']);
// Layer ids are short hex digests; other ids (the tag in "Pulling from …") are not layers.
const LAYER_ID = /^[0-9a-f]{12,64}$/;

export class PullProgressTracker {
  private readonly layers = new Map<string, LayerState>();
  private highestPercent = 0;

  update(message: PullMessage): void {
    const id = message.id;
    if (!id || !LAYER_ID.test(id)) return;
    const layer = this.layers.get(id) ?? { status: message.status, current: 0, total: 0 };
    layer.status = message.status;
    const detail = message.progressDetail ?? {};
    if (message.status === 'Downloading') {
      if (typeof detail.total === 'number' && detail.total > 0) layer.total = detail.total;
      if (typeof detail.current === 'number') layer.current = Math.min(detail.current, layer.total || detail.current);
    } else if (FINISHED_STATUSES.has(message.status)) {
      // Past the download: every byte of the layer has arrived (extraction is local work).
      layer.current = layer.total;
    }
    this.layers.set(id, layer);
  }

  snapshot(isComplete = false): PullSnapshot {
    let bytesDone = 0;
    let bytesTotal = 0;
    let doneLayers = 0;
    const layers: Record<string, LayerState> = {};
    for (const [id, layer] of this.layers) {
      bytesDone += layer.current;
      bytesTotal += layer.total;
      if (DONE_STATUSES.has(layer.status)) doneLayers += 1;
      layers[id] = { ...layer };
    }
    let percent: number;
    if (isComplete) percent = 100;
    else if (bytesTotal > 0) percent = Math.floor((bytesDone / bytesTotal) * 100);
    else percent = this.layers.size > 0 ? Math.floor((doneLayers / this.layers.size) * 100) : 0;
    // Layers announce their size only when their download starts, so the raw figure can dip; 100 waits for the end.
    percent = Math.max(this.highestPercent, isComplete ? 100 : Math.min(percent, 99));
    this.highestPercent = percent;
    return { percent, bytesDone, bytesTotal, layers };
  }
}

/** At most one emission per interval, except the ones that must go out (first and last). */
export class Throttle {
  private lastAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  isDue(nowMs: number): boolean {
    if (nowMs - this.lastAtMs < this.intervalMs) return false;
    this.lastAtMs = nowMs;
    return true;
  }
}
