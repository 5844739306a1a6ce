// Unit: the stats sampler's stream lifecycle against FakeDockerEngine's stats streams.
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/server/infra/clock.js';
import { StatsSampler } from '../../src/server/modules/containers/stats-sampler.js';
import { ManualClock } from '../helpers/auth.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';

let sampler: StatsSampler | undefined;
afterEach(() => sampler?.close());

/** Polls a condition that a background stream reaches on its own. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function dockerWith(count: number): { docker: FakeDockerEngine; ids: string[] } {
  const docker = new FakeDockerEngine();
  const ids = Array.from({ length: count }, (_, index) => docker.addContainer({ name: `c${index}` }).id);
  return { docker, ids };
}

describe('StatsSampler', () => {
  it('opens one stream per container on the first request and reuses it afterwards', async () => {
    const { docker, ids } = dockerWith(3);
    sampler = new StatsSampler(docker, systemClock);
    const first = await sampler.statsFor(ids);
    expect([...first.values()].every((stats) => stats !== null && stats.pids === 2)).toBe(true);
    await sampler.statsFor(ids);
    await sampler.statsFor(ids.slice(0, 1));
    expect(docker.statsStreamsOpened).toBe(3);
    expect(docker.openStatsStreams).toBe(3);
  });

  it('computes CPU from two consecutive samples once the stream has them', async () => {
    const { docker, ids } = dockerWith(1);
    docker.containers.get(ids[0]!)!.cpuPerTickNs = 500_000_000;
    sampler = new StatsSampler(docker, systemClock);
    await sampler.statsFor(ids);
    await new Promise((resolve) => setTimeout(resolve, docker.statsIntervalMs * 2));
    const stats = (await sampler.statsFor(ids)).get(ids[0]!);
    // 0.5 s of CPU per 2 s of host CPU (two CPUs) is a quarter of the host.
    expect(stats?.cpu).toBe(25);
  });

  it('closes streams nobody asked about for longer than the idle time', async () => {
    const { docker, ids } = dockerWith(2);
    const clock = new ManualClock();
    sampler = new StatsSampler(docker, clock, { idleMs: 60_000, sweepIntervalMs: 10 });
    await sampler.statsFor(ids);
    clock.advance(30_000);
    await sampler.statsFor(ids.slice(0, 1));
    clock.advance(40_000);
    await until(() => docker.openStatsStreams === 1, 'the idle stream is closed');
    expect(sampler.openStreamCount).toBe(1);
    clock.advance(60_001);
    await until(() => docker.openStatsStreams === 0, 'every stream is closed');
    expect(sampler.openStreamCount).toBe(0);
  });

  it('never holds more streams than maxStreams; the rest get null until a slot frees', async () => {
    const { docker, ids } = dockerWith(3);
    sampler = new StatsSampler(docker, systemClock, { maxStreams: 2 });
    const stats = await sampler.statsFor(ids);
    expect([...stats.values()].map((value) => value !== null)).toEqual([true, true, false]);
    expect(docker.openStatsStreams).toBe(2);
    sampler.forget(ids[0]!);
    expect((await sampler.statsFor(ids.slice(2))).get(ids[2]!)).not.toBeNull();
  });

  it('waits for first samples at most firstSampleWaitMs in total, then answers null for the missing ones', async () => {
    const { docker, ids } = dockerWith(5);
    docker.statsFirstSampleDelayMs = 60_000;
    sampler = new StatsSampler(docker, systemClock, { firstSampleWaitMs: 50 });
    const startedAt = Date.now();
    const stats = await sampler.statsFor(ids);
    expect(Date.now() - startedAt).toBeLessThan(1000);
    expect([...stats.values()]).toEqual([null, null, null, null, null]);
    expect(docker.openStatsStreams).toBe(5);
  });

  it('drops the stream of a container that stopped and opens a new one when it runs again', async () => {
    const { docker, ids } = dockerWith(1);
    const id = ids[0]!;
    sampler = new StatsSampler(docker, systemClock);
    await sampler.statsFor(ids);
    docker.containers.get(id)!.state = 'exited';
    await until(() => docker.openStatsStreams === 0, 'the stopped container stream ends');
    docker.containers.get(id)!.state = 'running';
    expect((await sampler.statsFor(ids)).get(id)).not.toBeNull();
    expect(docker.statsStreamsOpened).toBe(2);
  });

  it('does not wait again on a stream whose first-sample deadline has passed', async () => {
    const { docker, ids } = dockerWith(2);
    docker.statsFirstSampleDelayMs = 60_000;
    const clock = new ManualClock();
    sampler = new StatsSampler(docker, clock, { firstSampleWaitMs: 5_000 });
    let isFirstSettled = false;
    void sampler.statsFor(ids).then(() => (isFirstSettled = true));
    clock.advance(5_001);
    const second = await sampler.statsFor(ids);
    expect(isFirstSettled).toBe(false);
    expect([...second.values()]).toEqual([null, null]);
    expect(docker.statsStreamsOpened).toBe(2);
  });

  it('does not reopen a stream that ended without a sample until the retry time has passed', async () => {
    const { docker, ids } = dockerWith(1);
    const id = ids[0]!;
    docker.containers.get(id)!.state = 'exited';
    const clock = new ManualClock();
    sampler = new StatsSampler(docker, clock, { retryAfterFailureMs: 5_000 });
    expect((await sampler.statsFor(ids)).get(id)).toBeNull();
    await until(() => docker.openStatsStreams === 0, 'the stream of the stopped container ends');
    docker.containers.get(id)!.state = 'running';
    expect((await sampler.statsFor(ids)).get(id)).toBeNull();
    expect(docker.statsStreamsOpened).toBe(1);
    clock.advance(5_000);
    expect((await sampler.statsFor(ids)).get(id)).not.toBeNull();
    expect(docker.statsStreamsOpened).toBe(2);
  });

  it('ends every stream on close and opens none afterwards', async () => {
    const { docker, ids } = dockerWith(2);
    sampler = new StatsSampler(docker, systemClock);
    await sampler.statsFor(ids);
    sampler.close();
    await until(() => docker.openStatsStreams === 0, 'the streams end');
    expect([...(await sampler.statsFor(ids)).values()]).toEqual([null, null]);
    expect(docker.statsStreamsOpened).toBe(2);
  });
});
