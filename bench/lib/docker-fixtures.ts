// What the benchmarks create on the real Docker daemon: the stub image (built locally, nothing is
// pulled) and N labelled, running busybox containers. Everything carries this run's labels and is
// removed at the end of the run, also when it fails.
import { docker, buildStubImage, STUB_IMAGE, TEST_LABEL } from '../../test/helpers/docker.js';

export const BENCH_LABEL = 'homelabarr.bench';

/** Unique per run; in labels, container names and the compose project prefix. */
export const benchRunId = `b${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

export function benchLabels(): Record<string, string> {
  return { [TEST_LABEL]: benchRunId, [BENCH_LABEL]: benchRunId };
}

export async function ensureStubImage(): Promise<void> {
  await docker.ping();
  await buildStubImage(STUB_IMAGE);
}

/** Runs tasks with at most `limit` in flight: the daemon is shared, a burst of 50 creates would hurt everyone. */
async function inBatches<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await task(index);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * N running containers from the stub image: `sleep`, init as PID 1 (so removal is immediate), an
 * exposed port, on a bridge network of their own (labelled, removed with them) rather than the
 * daemon's default bridge, which other runs on a shared daemon may be reconfiguring.
 */
export async function createSleepers(count: number): Promise<string[]> {
  const network = await docker.createNetwork({ Name: `hlr-bench-${benchRunId}`, Driver: 'bridge', Labels: benchLabels() });
  return inBatches(count, 4, async (index) => {
    const container = await docker.createContainer({
      name: `hlr-bench-${benchRunId}-${index}`,
      Image: STUB_IMAGE,
      Cmd: ['sleep', '3600'],
      Labels: { ...benchLabels(), 'homelabarr.bench.role': 'sleeper' },
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { Init: true, NetworkMode: network.id },
    });
    await container.start();
    return container.id;
  });
}

/** Removes every container, network and volume labelled with this run's id. */
export async function removeBenchResources(): Promise<number> {
  const label = `${BENCH_LABEL}=${benchRunId}`;
  const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
  await inBatches(containers.length, 8, async (index) => {
    const id = (containers[index] as { Id: string }).Id;
    await docker
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  });
  // A network can still hold the endpoint of a container the daemon is finishing removing: retry a little.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const networks = await docker.listNetworks({ filters: { label: [label] } });
    if (networks.length === 0) break;
    await Promise.all(
      networks.map((network) =>
        docker
          .getNetwork(network.Id)
          .remove()
          .catch(() => undefined),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return containers.length;
}

/** Count of containers the daemon lists with all=1 (what both sides of the listing row return). */
export async function countAllContainers(): Promise<number> {
  return (await docker.listContainers({ all: true })).length;
}
