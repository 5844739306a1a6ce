// Rates and shares from raw stats counters: CPU needs two consecutive samples.
import type { ContainerStats } from '../../../contracts/containers.js';
import type { ContainerStatsSample } from '../../infra/docker/engine.js';

const round2 = (value: number): number => Math.round(value * 100) / 100;
const clampPercent = (value: number): number => round2(Math.min(100, Math.max(0, Number.isFinite(value) ? value : 0)));

/**
 * CPU as a share of the whole host: container CPU time over host CPU time between two samples.
 * With a single sample (the first one of a stream) it falls back to the average since the
 * container started, so a first answer is a real figure rather than zero.
 */
export function cpuPercent(
  previous: ContainerStatsSample | null,
  latest: ContainerStatsSample,
  startedAtMs: number | null,
  nowMs: number,
): number {
  if (previous && previous.systemCpuNs !== null && latest.systemCpuNs !== null && latest.systemCpuNs > previous.systemCpuNs) {
    return clampPercent(((latest.cpuTotalNs - previous.cpuTotalNs) / (latest.systemCpuNs - previous.systemCpuNs)) * 100);
  }
  if (startedAtMs === null || nowMs <= startedAtMs) return 0;
  const hostNsSinceStart = (nowMs - startedAtMs) * 1e6 * Math.max(1, latest.onlineCpus);
  return clampPercent((latest.cpuTotalNs / hostNsSinceStart) * 100);
}

export function computeContainerStats(input: {
  previous: ContainerStatsSample | null;
  latest: ContainerStatsSample;
  startedAtMs: number | null;
  nowMs: number;
}): ContainerStats {
  const { previous, latest, startedAtMs, nowMs } = input;
  return {
    cpu: cpuPercent(previous, latest, startedAtMs, nowMs),
    memory: {
      usage: latest.memoryUsage,
      limit: latest.memoryLimit,
      percentage: latest.memoryLimit > 0 ? clampPercent((latest.memoryUsage / latest.memoryLimit) * 100) : 0,
    },
    network: Object.fromEntries(
      Object.entries(latest.networks).map(([name, counters]) => [name, { rx_bytes: counters.rxBytes, tx_bytes: counters.txBytes }]),
    ),
    networkTotal: {
      rx: Object.values(latest.networks).reduce((total, counters) => total + counters.rxBytes, 0),
      tx: Object.values(latest.networks).reduce((total, counters) => total + counters.txBytes, 0),
    },
    blockIO: { read: latest.blockRead, write: latest.blockWrite },
    pids: latest.pids,
    uptime: startedAtMs === null ? 0 : Math.max(0, Math.floor((nowMs - startedAtMs) / 1000)),
    onlineCpus: latest.onlineCpus,
    sampledAt: latest.readAt,
  };
}
