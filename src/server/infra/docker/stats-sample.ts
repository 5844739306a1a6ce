// One message of Docker's stats stream, reduced to the counters the project uses.

/** Raw counters of one stats message; rates (CPU %) need two of them. */
export type ContainerStatsSample = {
  /** Docker's read time of the sample (RFC 3339). */
  readAt: string;
  /** False for the zeroed messages Docker keeps sending while the container is stopped. */
  isRunning: boolean;
  /** Cumulative CPU time of the container, nanoseconds. */
  cpuTotalNs: number;
  /** Cumulative CPU time of the whole host (all CPUs), nanoseconds; null when Docker sent none. */
  systemCpuNs: number | null;
  onlineCpus: number;
  /** Memory charged to the container, bytes, without reclaimable page cache. */
  memoryUsage: number;
  memoryLimit: number;
  /** Cumulative bytes by interface (eth0, …); empty for network_mode host or none, where Docker reports none. */
  networks: Record<string, { rxBytes: number; txBytes: number }>;
  blockRead: number;
  blockWrite: number;
  pids: number;
};

type RawBlkioEntry = { op?: string; value?: number };
type RawStats = {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: RawBlkioEntry[] | null };
  pids_stats?: { current?: number };
};

function sumBlockIo(entries: RawBlkioEntry[] | null | undefined, op: 'read' | 'write'): number {
  let total = 0;
  for (const entry of entries ?? []) {
    if ((entry.op ?? '').toLowerCase() === op) total += entry.value ?? 0;
  }
  return total;
}

/**
 * Memory as `docker stats` shows it: usage minus the inactive page cache, which the kernel can
 * reclaim at any time. cgroup v1 names it total_inactive_file, cgroup v2 inactive_file.
 */
function memoryWithoutCache(memory: RawStats['memory_stats']): number {
  const usage = memory?.usage ?? 0;
  const stats = memory?.stats ?? {};
  const inactive = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  return inactive < usage ? usage - inactive : usage;
}

export function parseStatsSample(raw: unknown): ContainerStatsSample {
  const stats = (raw ?? {}) as RawStats;
  const readAt = stats.read ?? '';
  const cpu = stats.cpu_stats ?? {};
  const networks: ContainerStatsSample['networks'] = {};
  for (const [name, counters] of Object.entries(stats.networks ?? {})) {
    networks[name] = { rxBytes: counters.rx_bytes ?? 0, txBytes: counters.tx_bytes ?? 0 };
  }
  return {
    readAt,
    // A stopped container's messages carry Go's zero time and no counters.
    isRunning: !readAt.startsWith('0001-') && cpu.system_cpu_usage !== undefined,
    cpuTotalNs: cpu.cpu_usage?.total_usage ?? 0,
    systemCpuNs: cpu.system_cpu_usage ?? null,
    onlineCpus: cpu.online_cpus ?? cpu.cpu_usage?.percpu_usage?.length ?? 1,
    memoryUsage: memoryWithoutCache(stats.memory_stats),
    memoryLimit: stats.memory_stats?.limit ?? 0,
    networks,
    blockRead: sumBlockIo(stats.blkio_stats?.io_service_bytes_recursive, 'read'),
    blockWrite: sumBlockIo(stats.blkio_stats?.io_service_bytes_recursive, 'write'),
    pids: stats.pids_stats?.current ?? 0,
  };
}
