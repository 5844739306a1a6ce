import { describe, expect, it } from 'vitest';
import { PullProgressTracker, Throttle } from '../../src/server/modules/deployments/pull-progress.js';

describe('PullProgressTracker', () => {
  it('sums the bytes of every layer and counts finished downloads as complete', () => {
    const tracker = new PullProgressTracker();
    tracker.update({ status: 'Pulling from hlrt/app', id: '1' });
    tracker.update({ status: 'Pulling fs layer', id: 'aaaaaaaaaaaa' });
    tracker.update({ status: 'Already exists', id: 'cccccccccccc' });
    tracker.update({ status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 250, total: 1000 } });
    expect(tracker.snapshot()).toEqual({
      percent: 25,
      bytesDone: 250,
      bytesTotal: 1000,
      layers: {
        aaaaaaaaaaaa: { status: 'Downloading', current: 250, total: 1000 },
        cccccccccccc: { status: 'Already exists', current: 0, total: 0 },
      },
    });
    tracker.update({ status: 'Extracting', id: 'aaaaaaaaaaaa', progressDetail: { current: 10, total: 1000 } });
    expect(tracker.snapshot()).toMatchObject({ percent: 99, bytesDone: 1000, bytesTotal: 1000 });
    expect(tracker.snapshot(true).percent).toBe(100);
  });

  it('never reports a lower percentage when a new layer reveals its size', () => {
    const tracker = new PullProgressTracker();
    tracker.update({ status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 900, total: 1000 } });
    expect(tracker.snapshot().percent).toBe(90);
    tracker.update({ status: 'Downloading', id: 'bbbbbbbbbbbb', progressDetail: { current: 0, total: 9000 } });
    expect(tracker.snapshot()).toMatchObject({ percent: 90, bytesDone: 900, bytesTotal: 10_000 });
  });

  it('counts layers when Docker reports no sizes', () => {
    const tracker = new PullProgressTracker();
    tracker.update({ status: 'Pull complete', id: 'aaaaaaaaaaaa' });
    tracker.update({ status: 'Waiting', id: 'bbbbbbbbbbbb' });
    expect(tracker.snapshot().percent).toBe(50);
  });
});

describe('Throttle', () => {
  it('lets one emission through per interval', () => {
    const throttle = new Throttle(250);
    expect([0, 100, 249, 250, 400, 501].map((ms) => throttle.isDue(ms))).toEqual([true, false, false, true, false, true]);
  });
});
