// Unit: the pure pieces behind the container routes (log demultiplexing, stats, ports column, app labels).
import { describe, expect, it } from 'vitest';
import { demuxFrames, parseContainerLogs } from '../../src/server/infra/docker/log-demux.js';
import { parseStatsSample, type ContainerStatsSample } from '../../src/server/infra/docker/stats-sample.js';
import { findContainerApp } from '../../src/server/modules/stacks/index.js';
import { computeContainerStats } from '../../src/server/modules/containers/container-stats.js';
import { formatDockerPsPorts } from '../../src/server/modules/containers/docker-ps-ports.js';

function frame(type: 1 | 2, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const TS1 = '2025-01-15T10:00:00.123456789Z';
const TS2 = '2025-01-15T10:00:01.000000001Z';

describe('parseContainerLogs', () => {
  it('keeps stdout and stderr of a multiplexed body apart, with their timestamps', () => {
    const body = Buffer.concat([frame(1, `${TS1} Hello-out\n`), frame(2, `${TS2} err-line\n`), frame(1, `${TS2} ünïcödé ✓\n`)]);
    expect(parseContainerLogs(body, { isTty: false, hasTimestamps: true })).toEqual([
      { stream: 'stdout', timestamp: TS1, message: 'Hello-out' },
      { stream: 'stderr', timestamp: TS2, message: 'err-line' },
      { stream: 'stdout', timestamp: TS2, message: 'ünïcödé ✓' },
    ]);
  });

  it('joins a long line that Docker split over several frames, per stream', () => {
    const body = Buffer.concat([frame(1, `${TS1} first half, `), frame(2, `${TS1} interleaved\n`), frame(1, `${TS2} second half\n`)]);
    expect(parseContainerLogs(body, { isTty: false, hasTimestamps: true })).toEqual([
      { stream: 'stderr', timestamp: TS1, message: 'interleaved' },
      { stream: 'stdout', timestamp: TS1, message: 'first half, second half' },
    ]);
  });

  it('keeps the first characters of a TTY body, even ones that look like a frame header', () => {
    const body = Buffer.from('\u0001\u0000\u0000\u0000abcd first line\r\nsecond line\r\nno newline at the end', 'latin1');
    expect(parseContainerLogs(body, { isTty: true, hasTimestamps: false })).toEqual([
      { stream: 'stdout', timestamp: null, message: '\u0001\u0000\u0000\u0000abcd first line' },
      { stream: 'stdout', timestamp: null, message: 'second line' },
      { stream: 'stdout', timestamp: null, message: 'no newline at the end' },
    ]);
  });

  it('splits the timestamp off every TTY line', () => {
    const body = Buffer.from(`${TS1} Hello-tty\r\n${TS2} tty-err\r\n`);
    expect(parseContainerLogs(body, { isTty: true, hasTimestamps: true })).toEqual([
      { stream: 'stdout', timestamp: TS1, message: 'Hello-tty' },
      { stream: 'stdout', timestamp: TS2, message: 'tty-err' },
    ]);
  });

  it('keeps every byte of a non-TTY body that carries no frame header', () => {
    expect(parseContainerLogs(Buffer.from('Hello\nworld\n'), { isTty: false, hasTimestamps: false })).toEqual([
      { stream: 'stdout', timestamp: null, message: 'Hello' },
      { stream: 'stdout', timestamp: null, message: 'world' },
    ]);
  });

  it('drops a truncated last frame and answers nothing for an empty body', () => {
    const whole = frame(1, 'complete\n');
    const cut = frame(2, 'cut off here\n').subarray(0, 12);
    expect(demuxFrames(Buffer.concat([whole, cut]))).toEqual([{ stream: 'stdout', data: Buffer.from('complete\n') }]);
    expect(parseContainerLogs(Buffer.alloc(0), { isTty: false, hasTimestamps: true })).toEqual([]);
  });
});

describe('parseStatsSample', () => {
  const running = {
    read: TS1,
    cpu_stats: { cpu_usage: { total_usage: 5_000_000 }, system_cpu_usage: 9_000_000_000, online_cpus: 4 },
    memory_stats: { usage: 10_000, limit: 100_000, stats: { total_inactive_file: 4_000 } },
    networks: { eth0: { rx_bytes: 100, tx_bytes: 10 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
    blkio_stats: {
      io_service_bytes_recursive: [
        { op: 'Read', value: 7 },
        { op: 'Write', value: 3 },
        { op: 'read', value: 1 },
      ],
    },
    pids_stats: { current: 5 },
  };

  it('reads cgroup v1 counters, subtracting inactive page cache from memory', () => {
    expect(parseStatsSample(running)).toEqual({
      readAt: TS1,
      isRunning: true,
      cpuTotalNs: 5_000_000,
      systemCpuNs: 9_000_000_000,
      onlineCpus: 4,
      memoryUsage: 6_000,
      memoryLimit: 100_000,
      networks: { eth0: { rxBytes: 100, txBytes: 10 }, eth1: { rxBytes: 1, txBytes: 2 } },
      blockRead: 8,
      blockWrite: 3,
      pids: 5,
    });
  });

  it('reads the cgroup v2 inactive_file key', () => {
    const v2 = { ...running, memory_stats: { usage: 10_000, limit: 100_000, stats: { inactive_file: 2_500 } } };
    expect(parseStatsSample(v2).memoryUsage).toBe(7_500);
  });

  it('marks the zeroed sample of a stopped container as not running', () => {
    const stopped = {
      read: '0001-01-01T00:00:00Z',
      cpu_stats: { cpu_usage: { total_usage: 0 } },
      memory_stats: {},
      pids_stats: {},
      blkio_stats: {},
    };
    expect(parseStatsSample(stopped)).toMatchObject({ isRunning: false, memoryUsage: 0, pids: 0, blockRead: 0 });
  });
});

describe('computeContainerStats', () => {
  const sample = (fields: Partial<ContainerStatsSample>): ContainerStatsSample => ({
    readAt: TS1,
    isRunning: true,
    cpuTotalNs: 0,
    systemCpuNs: 0,
    onlineCpus: 2,
    memoryUsage: 256,
    memoryLimit: 1024,
    networks: { eth0: { rxBytes: 1, txBytes: 2 } },
    blockRead: 3,
    blockWrite: 4,
    pids: 6,
    ...fields,
  });

  it('takes CPU from two samples as a share of the host and the rest from the latest', () => {
    const previous = sample({ cpuTotalNs: 1_000_000_000, systemCpuNs: 100_000_000_000 });
    const latest = sample({ cpuTotalNs: 1_300_000_000, systemCpuNs: 102_000_000_000, readAt: TS2 });
    const startedAtMs = Date.parse('2025-01-15T09:00:00Z');
    expect(computeContainerStats({ previous, latest, startedAtMs, nowMs: startedAtMs + 90_500 })).toEqual({
      cpu: 15,
      memory: { usage: 256, limit: 1024, percentage: 25 },
      network: { eth0: { rx_bytes: 1, tx_bytes: 2 } },
      networkTotal: { rx: 1, tx: 2 },
      blockIO: { read: 3, write: 4 },
      pids: 6,
      uptime: 90,
      onlineCpus: 2,
      sampledAt: TS2,
    });
  });

  it('falls back to the average since the start for a single sample', () => {
    const startedAtMs = 1_000_000;
    // 10 s of CPU over 100 s on two CPUs: 5 % of the host.
    const stats = computeContainerStats({
      previous: null,
      latest: sample({ cpuTotalNs: 10e9 }),
      startedAtMs,
      nowMs: startedAtMs + 100_000,
    });
    expect(stats.cpu).toBe(5);
    expect(computeContainerStats({ previous: null, latest: sample({ cpuTotalNs: 10e9 }), startedAtMs: null, nowMs: 0 }).cpu).toBe(0);
  });

  it('reports network counters by interface, as the original does, with their sum besides', () => {
    const latest = sample({ networks: { eth0: { rxBytes: 100, txBytes: 10 }, eth1: { rxBytes: 5, txBytes: 1 } } });
    const stats = computeContainerStats({ previous: null, latest, startedAtMs: null, nowMs: 0 });
    expect(stats.network).toEqual({ eth0: { rx_bytes: 100, tx_bytes: 10 }, eth1: { rx_bytes: 5, tx_bytes: 1 } });
    expect(stats.networkTotal).toEqual({ rx: 105, tx: 11 });
    // network_mode host or none: Docker sends no networks at all.
    const hostNetwork = computeContainerStats({ previous: null, latest: sample({ networks: {} }), startedAtMs: null, nowMs: 0 });
    expect([hostNetwork.network, hostNetwork.networkTotal]).toEqual([{}, { rx: 0, tx: 0 }]);
  });

  it('keeps percentages within 0–100 and survives a zero memory limit', () => {
    const previous = sample({ cpuTotalNs: 0, systemCpuNs: 1 });
    const latest = sample({ cpuTotalNs: 10, systemCpuNs: 2, memoryLimit: 0 });
    const stats = computeContainerStats({ previous, latest, startedAtMs: null, nowMs: 0 });
    expect(stats.cpu).toBe(100);
    expect(stats.memory.percentage).toBe(0);
  });
});

describe('formatDockerPsPorts', () => {
  it('collapses consecutive self-mapped ports into ranges, as docker ps does', () => {
    const ports = [8000, 8001, 8002].flatMap((port) => [
      { privatePort: port, publicPort: port, type: 'tcp', ip: '0.0.0.0' },
      { privatePort: port, publicPort: port, type: 'tcp', ip: '::' },
    ]);
    expect(formatDockerPsPorts(ports)).toBe('0.0.0.0:8000-8002->8000-8002/tcp, [::]:8000-8002->8000-8002/tcp');
  });

  it('lists exposed-only ports and differently mapped ports', () => {
    expect(
      formatDockerPsPorts([
        { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' },
        { privatePort: 53, publicPort: null, type: 'udp', ip: null },
        { privatePort: 54, publicPort: null, type: 'udp', ip: null },
        { privatePort: 32400, publicPort: 32400, type: 'tcp', ip: '127.0.0.1' },
      ]),
    ).toBe('53-54/udp, 127.0.0.1:32400->32400/tcp, 0.0.0.0:8080->80/tcp');
    expect(formatDockerPsPorts([])).toBe('');
  });
});

describe('findContainerApp', () => {
  it('maps the compose project of the prefix to its app, preferring the app-id label', () => {
    expect(findContainerApp({ 'com.docker.compose.project': 'hlr-mediaserver-plex', 'com.docker.compose.service': 'plex' }, 'hlr')).toEqual(
      {
        appId: 'mediaserver-plex',
        project: 'hlr-mediaserver-plex',
        service: 'plex',
      },
    );
    expect(findContainerApp({ 'com.docker.compose.project': 'hlr-plex', 'homelabarr.app-id': 'mediaserver-plex' }, 'hlr')).toEqual({
      appId: 'mediaserver-plex',
      project: 'hlr-plex',
      service: null,
    });
  });

  it('maps nothing for other projects, a bare prefix or no compose labels', () => {
    expect(findContainerApp({ 'com.docker.compose.project': 'hlrx-plex' }, 'hlr')).toBeNull();
    expect(findContainerApp({ 'com.docker.compose.project': 'other-hlr-plex', 'homelabarr.app-id': 'x' }, 'hlr')).toBeNull();
    expect(findContainerApp({ 'com.docker.compose.project': 'hlr-' }, 'hlr')).toBeNull();
    expect(findContainerApp({}, 'hlr')).toBeNull();
  });
});
