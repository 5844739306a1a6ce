import { describe, expect, it } from 'vitest';
import { FreshSharedCall } from '../../src/server/modules/containers/fresh-shared-call.js';

/** A call whose answers the test releases one by one; `started` counts the calls made. */
function gatedCall() {
  const releases: ((value: number) => void)[] = [];
  const failures: ((error: Error) => void)[] = [];
  const gate = {
    started: 0,
    call: () => {
      gate.started += 1;
      return new Promise<number>((resolve, reject) => {
        releases.push(resolve);
        failures.push(reject);
      });
    },
    release(index: number, value: number) {
      releases[index]?.(value);
    },
    fail(index: number, error: Error) {
      failures[index]?.(error);
    },
  };
  return gate;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FreshSharedCall', () => {
  it('starts a call at once when none is running', async () => {
    const gate = gatedCall();
    const shared = new FreshSharedCall(gate.call);
    const answer = shared.run();
    expect(gate.started).toBe(1);
    gate.release(0, 7);
    await expect(answer).resolves.toBe(7);
  });

  it('answers callers that arrive during a call with one next call, started when the current one ends', async () => {
    const gate = gatedCall();
    const shared = new FreshSharedCall(gate.call);
    const first = shared.run();
    const second = shared.run();
    const third = shared.run();
    expect(gate.started).toBe(1);
    gate.release(0, 1);
    await expect(first).resolves.toBe(1);
    await settle();
    expect(gate.started).toBe(2);
    gate.release(1, 2);
    await expect(second).resolves.toBe(2);
    await expect(third).resolves.toBe(2);
    expect(gate.started).toBe(2);
  });

  it('never hands a caller the answer of a call that started before it arrived', async () => {
    const gate = gatedCall();
    const shared = new FreshSharedCall(gate.call);
    const first = shared.run();
    const second = shared.run();
    gate.release(0, 1);
    await first;
    await settle();
    // The second call is running now; a caller arriving during it waits for a third.
    const late = shared.run();
    gate.release(1, 2);
    await expect(second).resolves.toBe(2);
    await settle();
    expect(gate.started).toBe(3);
    gate.release(2, 3);
    await expect(late).resolves.toBe(3);
  });

  it('passes a failure to everyone who shared the call, and the next caller starts a new one', async () => {
    const gate = gatedCall();
    const shared = new FreshSharedCall(gate.call);
    const first = shared.run();
    const waiting = shared.run();
    gate.fail(0, new Error('Docker is not reachable'));
    await expect(first).rejects.toThrow('Docker is not reachable');
    await settle();
    gate.fail(1, new Error('Docker is not reachable'));
    await expect(waiting).rejects.toThrow('Docker is not reachable');
    const again = shared.run();
    expect(gate.started).toBe(3);
    gate.release(2, 9);
    await expect(again).resolves.toBe(9);
  });
});
