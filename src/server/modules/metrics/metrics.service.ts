// What GET /metrics reports: HTTP traffic (recorded per request), and at scrape time the
// deployments (from their rows), SSE clients, Docker and compose reachability, the catalog, the
// deployed apps' containers, the event loop and the process. Other modules add their own metrics
// through `registry` (services.metrics.registry.counter(...), .gauge(...), .histogram(...)).
import { createHash, timingSafeEqual } from 'node:crypto';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { DeploymentMetricsRepository } from './deployment-metrics.repository.js';
import { MetricsRegistry, type Counter, type Gauge, type Histogram } from './metrics-registry.js';

/** Seconds a deploy takes: pulls make minutes normal, the verify timeout caps most at a few. */
export const DEPLOYMENT_DURATION_BUCKETS = [5, 10, 20, 30, 60, 120, 300, 600, 900, 1800];

/** The label of requests no route matched: their raw URLs would make a series per scanner probe. */
export const UNMATCHED_ROUTE = 'unmatched';

const APP_CONTAINERS_TIMEOUT_MS = 2000;
const NS_PER_SECOND = 1e9;
// The delay monitor's timer period; its samples include it, so it is subtracted to leave the lag.
const EVENT_LOOP_RESOLUTION_MS = 10;

function lagSeconds(sampleNs: number): number {
  return Math.max(0, sampleNs - EVENT_LOOP_RESOLUTION_MS * 1e6) / NS_PER_SECOND;
}

export type MetricsDeps = {
  deployments: DeploymentMetricsRepository;
  /** Open progress-stream connections. */
  sseClients: () => number;
  /** Disconnected stream clients kept for a resume (bounded; each is a few hundred bytes). */
  sseRememberedClients: () => number;
  isDockerUp: () => Promise<boolean>;
  isComposeAvailable: () => boolean;
  catalogSummary: () => { apps: number; invalid: readonly unknown[] };
  /** Containers of deployed apps; called only while Docker is up. */
  listAppContainers: () => Promise<{ appId: string; state: string }[]>;
  version: string;
  /** METRICS_TOKEN: a scrape credential that is not a user's. */
  metricsToken: string | undefined;
};

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class MetricsService {
  readonly registry = new MetricsRegistry();
  private readonly httpRequests: Counter;
  private readonly httpDuration: Histogram;
  private readonly collectorErrors: Gauge;
  private readonly scrapeDuration: Gauge;
  private readonly eventLoop: IntervalHistogram;
  private readonly metricsTokenDigest: Buffer | null;
  /** The HTTP series of each status, method and route, bound once. */
  private readonly httpSeries = new Map<string, { requests: { inc(): void }; duration: { observe(value: number): void } }>();

  constructor(private readonly deps: MetricsDeps) {
    const { registry } = this;
    this.metricsTokenDigest = deps.metricsToken ? sha256(`Bearer ${deps.metricsToken}`) : null;
    registry
      .gauge('homelabarr_build_info', 'Always 1; the labels say which version runs on which Node.js', ['version', 'node_version'])
      .set({ version: deps.version, node_version: process.version }, 1);
    this.httpRequests = registry.counter('homelabarr_http_requests_total', 'HTTP requests answered, by route pattern and status', [
      'method',
      'route',
      'status',
    ]);
    this.httpDuration = registry.histogram(
      'homelabarr_http_request_duration_seconds',
      'Time from receiving a request to finishing its response, by route pattern and status',
      ['method', 'route', 'status'],
    );
    this.collectorErrors = registry.gauge(
      'homelabarr_metrics_collector_errors',
      'Collectors that failed during the last scrape (their metrics kept older values)',
    );
    this.scrapeDuration = registry.gauge('homelabarr_metrics_scrape_duration_seconds', 'Time the last scrape spent collecting');
    this.addDeploymentMetrics();
    this.addPlatformMetrics();
    this.eventLoop = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    this.eventLoop.enable();
    this.addProcessMetrics();
  }

  /** The per-request cost of metrics: one map lookup and a few increments. */
  observeRequest(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    const key = `${statusCode} ${method} ${route ?? ''}`;
    let series = this.httpSeries.get(key);
    if (!series) {
      const labels = { method, route: route ?? UNMATCHED_ROUTE, status: statusCode };
      series = { requests: this.httpRequests.bind(labels), duration: this.httpDuration.bind(labels) };
      this.httpSeries.set(key, series);
    }
    series.requests.inc();
    series.duration.observe(seconds);
  }

  /** Whether an Authorization header carries METRICS_TOKEN (compared in constant time). */
  isMetricsToken(authorization: string | undefined): boolean {
    if (!this.metricsTokenDigest || authorization === undefined) return false;
    return timingSafeEqual(sha256(authorization), this.metricsTokenDigest);
  }

  /** The text exposition of everything, collected now. */
  async scrape(): Promise<string> {
    const started = performance.now();
    const failed = await this.registry.runCollectors();
    this.collectorErrors.set(undefined, failed);
    this.scrapeDuration.set(undefined, (performance.now() - started) / 1000);
    const text = this.registry.renderText();
    // Event-loop delay is reported per scrape interval: a stall an hour ago should not hide today's.
    this.eventLoop.reset();
    return text;
  }

  close(): void {
    this.eventLoop.disable();
  }

  private addDeploymentMetrics(): void {
    const { registry } = this;
    const repository = this.deps.deployments;
    const finished = registry.counter(
      'homelabarr_deployments_finished_total',
      'Deployments that ended, by outcome (completed, failed, interrupted, cancelled) and mode',
      ['status', 'mode'],
    );
    const active = registry.gauge('homelabarr_deployments_active', 'Deployments queued or in progress now', ['status', 'mode']);
    const failures = registry.counter('homelabarr_deployment_failures_total', 'Failed deployments by the step that failed', ['step']);
    const duration = registry.histogram(
      'homelabarr_deployment_duration_seconds',
      'Wall time of finished deployments, from request to outcome',
      ['status'],
      DEPLOYMENT_DURATION_BUCKETS,
    );
    registry.collect(() => {
      const counts = repository.statusCounts();
      finished.reset();
      active.reset();
      for (const status of ['queued', 'in-progress'])
        for (const mode of ['standard', 'traefik', 'authelia']) active.set({ status, mode }, 0);
      for (const { status, mode, count } of counts) {
        if (status === 'queued' || status === 'in-progress') active.set({ status, mode }, count);
        else finished.setTotal({ status, mode }, count);
      }
      failures.reset();
      for (const { step, count } of repository.failuresByStep()) failures.setTotal({ step }, count);
      duration.reset();
      for (const row of repository.durations()) duration.setCumulative({ status: row.status }, row.cumulative, row.count, row.sumSeconds);
    });
  }

  private addPlatformMetrics(): void {
    const { registry, deps } = this;
    const sse = registry.gauge('homelabarr_sse_clients', 'Open progress-stream (server-sent events) connections');
    const sseRemembered = registry.gauge(
      'homelabarr_sse_remembered_clients',
      'Disconnected progress-stream clients kept for a resume within the resume window',
    );
    const dockerUp = registry.gauge('homelabarr_docker_up', '1 when the Docker daemon answers, 0 when it does not (catalog-only mode)');
    const composeUp = registry.gauge('homelabarr_compose_available', '1 when docker compose v2 was found, so deploys can run');
    const catalogApps = registry.gauge('homelabarr_catalog_apps', 'Apps in the catalog');
    const catalogInvalid = registry.gauge('homelabarr_catalog_invalid_templates', 'Catalog templates that failed to load and were skipped');
    const containers = registry.gauge(
      'homelabarr_app_containers',
      'Containers of deployed apps by state (running, exited, restarting, …)',
      ['app_id', 'state'],
    );
    registry.collect(() => {
      sse.set(undefined, deps.sseClients());
      sseRemembered.set(undefined, deps.sseRememberedClients());
      composeUp.set(undefined, deps.isComposeAvailable() ? 1 : 0);
      const catalog = deps.catalogSummary();
      catalogApps.set(undefined, catalog.apps);
      catalogInvalid.set(undefined, catalog.invalid.length);
    });
    registry.collect(async () => {
      const isUp = await deps.isDockerUp();
      dockerUp.set(undefined, isUp ? 1 : 0);
      if (!isUp) {
        // Nothing is known about containers while Docker is away: report none rather than stale ones.
        containers.reset();
        return;
      }
      const list = await withTimeout(deps.listAppContainers(), APP_CONTAINERS_TIMEOUT_MS, 'Listing app containers');
      containers.reset();
      for (const { appId, state } of list) containers.inc({ app_id: appId, state });
    });
  }

  private addProcessMetrics(): void {
    const { registry } = this;
    const rss = registry.gauge('process_resident_memory_bytes', 'Resident memory size');
    const heapUsed = registry.gauge('nodejs_heap_size_used_bytes', 'V8 heap in use');
    const heapTotal = registry.gauge('nodejs_heap_size_total_bytes', 'V8 heap reserved');
    const external = registry.gauge(
      'nodejs_external_memory_bytes',
      'Memory of C++ objects bound to JavaScript (buffers, SQLite statements)',
    );
    const cpu = registry.counter('process_cpu_seconds_total', 'CPU time used, user and system');
    const cpuUser = registry.counter('process_cpu_user_seconds_total', 'CPU time used in user mode');
    const cpuSystem = registry.counter('process_cpu_system_seconds_total', 'CPU time used in kernel mode');
    registry
      .gauge('process_start_time_seconds', 'When the process started, Unix seconds')
      .set(undefined, Math.round(performance.timeOrigin / 1000));
    const resources = registry.gauge(
      'nodejs_active_resources',
      'Handles and requests keeping the event loop alive (sockets, timers, files)',
    );
    const loopQuantiles = registry.gauge('nodejs_eventloop_delay_seconds', 'Event-loop delay over the last scrape interval, by quantile', [
      'quantile',
    ]);
    const loopMax = registry.gauge('nodejs_eventloop_delay_max_seconds', 'Longest event-loop delay over the last scrape interval');
    const loopMean = registry.gauge('nodejs_eventloop_delay_mean_seconds', 'Mean event-loop delay over the last scrape interval');
    registry.collect(() => {
      const memory = process.memoryUsage();
      rss.set(undefined, memory.rss);
      heapUsed.set(undefined, memory.heapUsed);
      heapTotal.set(undefined, memory.heapTotal);
      external.set(undefined, memory.external);
      const usage = process.cpuUsage();
      cpuUser.setTotal(undefined, usage.user / 1e6);
      cpuSystem.setTotal(undefined, usage.system / 1e6);
      cpu.setTotal(undefined, (usage.user + usage.system) / 1e6);
      resources.set(undefined, process.getActiveResourcesInfo().length);
      const loop = this.eventLoop;
      const hasSamples = loop.count > 0;
      for (const quantile of [0.5, 0.9, 0.99]) {
        loopQuantiles.set({ quantile }, hasSamples ? lagSeconds(loop.percentile(quantile * 100)) : 0);
      }
      loopMax.set(undefined, hasSamples ? lagSeconds(loop.max) : 0);
      loopMean.set(undefined, hasSamples ? lagSeconds(loop.mean) : 0);
    });
  }
}
