// HTTP load: a fixed number of keep-alive connections, each sending its next request as soon as
// the previous answer arrived, for a fixed time, with every response time kept (sub-millisecond).
// The lean client (lean-http-client.ts) runs by default; BENCH_CLIENT=autocannon runs autocannon
// instead (latencies from its per-response event: its own histogram rounds to whole milliseconds).
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { runLeanLoad } from './lean-http-client.js';

export type LoadTarget = {
  /** What the table calls it, e.g. "GET /containers". */
  label: string;
  url: string;
  /** A unix socket to send the requests over (the Docker Engine API); the url then only names the path. */
  socketPath?: string;
  headers?: Record<string, string>;
  /** Answers with another status count as errors (a 304 target expects 304). */
  expectStatus?: number;
  /** The process serving the target: its CPU time per request is reported too. */
  pid?: number;
};

/** User + system CPU time of a process so far, in milliseconds (from /proc; 10 ms ticks). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export type LoadResult = {
  label: string;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  /** CPU milliseconds the serving process spent per answered request; NaN without a pid. */
  cpuMsPerRequest: number;
};

type Samples = { latencies: number[]; errors: number; seconds: number; cpuMs: number };

/** Which load client runs: the lean one (default) or autocannon (BENCH_CLIENT=autocannon), for a cross-check. */
export const loadClient = process.env.BENCH_CLIENT === 'autocannon' ? 'autocannon' : 'lean';

async function runOnce(target: LoadTarget, connections: number, seconds: number): Promise<Samples> {
  if (loadClient === 'autocannon') return runAutocannon(target, connections, seconds);
  const expected = target.expectStatus ?? 200;
  const cpuBefore = target.pid ? processCpuMs(target.pid) : Number.NaN;
  const samples = await runLeanLoad(
    {
      url: target.url,
      ...(target.socketPath ? { socketPath: target.socketPath } : {}),
      ...(target.headers ? { headers: target.headers } : {}),
    },
    connections,
    seconds,
  );
  const cpuMs = target.pid ? processCpuMs(target.pid) - cpuBefore : Number.NaN;
  let unexpected = 0;
  for (const [status, count] of samples.statuses) if (status !== expected) unexpected += count;
  if (unexpected > 0) {
    // Latencies of unexpected answers are not kept apart by the lean loop; a run with any is reported as errors only.
    return { latencies: [], errors: unexpected + samples.errors, seconds: samples.seconds, cpuMs };
  }
  return { latencies: samples.latencies, errors: samples.errors, seconds: samples.seconds, cpuMs };
}

function runAutocannon(target: LoadTarget, connections: number, seconds: number): Promise<Samples> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let errors = 0;
    const expected = target.expectStatus ?? 200;
    const startedAt = performance.now();
    const cpuBefore = target.pid ? processCpuMs(target.pid) : Number.NaN;
    const instance = autocannon(
      {
        url: target.url,
        connections,
        duration: seconds,
        timeout: 30,
        ...(target.socketPath ? { socketPath: target.socketPath } : {}),
        ...(target.headers ? { headers: target.headers } : {}),
      },
      (error, result) => {
        if (error) return reject(error);
        const cpuMs = target.pid ? processCpuMs(target.pid) - cpuBefore : Number.NaN;
        resolve({ latencies, errors: errors + result.errors + result.timeouts, seconds: (performance.now() - startedAt) / 1000, cpuMs });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode === expected) latencies.push(responseTime);
      else errors += 1;
    });
  });
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] as number;
}

function summarize(label: string, parts: Samples[]): LoadResult {
  const all = Float64Array.from(parts.flatMap((part) => part.latencies)).sort();
  const seconds = parts.reduce((sum, part) => sum + part.seconds, 0);
  const total = all.reduce((sum, value) => sum + value, 0);
  return {
    label,
    requests: all.length,
    errors: parts.reduce((sum, part) => sum + part.errors, 0),
    seconds,
    rps: all.length / seconds,
    p50: percentile(all, 0.5),
    p99: percentile(all, 0.99),
    mean: all.length > 0 ? total / all.length : Number.NaN,
    cpuMsPerRequest: parts.reduce((sum, part) => sum + part.cpuMs, 0) / all.length,
  };
}

export type LoadPlan = { connections: number; totalSeconds: number; rounds: number; warmupSeconds: number };

/**
 * Measures several targets the same way, alternating between them in `rounds` slices so that a
 * burst of load from elsewhere on the machine hits every target alike.
 */
export async function measureAlternating(targets: LoadTarget[], plan: LoadPlan): Promise<LoadResult[]> {
  for (const target of targets) if (plan.warmupSeconds > 0) await runOnce(target, plan.connections, plan.warmupSeconds);
  const slice = Math.max(1, Math.round(plan.totalSeconds / plan.rounds));
  const parts: Samples[][] = targets.map(() => []);
  for (let round = 0; round < plan.rounds; round += 1) {
    // Reverse the order every other round, so neither side always runs right after the other.
    const order = round % 2 === 0 ? targets.map((_, index) => index) : targets.map((_, index) => targets.length - 1 - index);
    for (const index of order) parts[index]?.push(await runOnce(targets[index] as LoadTarget, plan.connections, slice));
  }
  return targets.map((target, index) => summarize(target.label, parts[index] ?? []));
}

/** Several targets at once (mixed load), each with its own connections; resolves when all end. */
export async function measureTogether(targets: { target: LoadTarget; connections: number }[], seconds: number): Promise<LoadResult[]> {
  const parts = await Promise.all(targets.map(({ target, connections }) => runOnce(target, connections, seconds)));
  return targets.map(({ target }, index) => summarize(target.label, [parts[index] as Samples]));
}
