// A small Prometheus registry: counters, gauges and histograms with labels, plus collectors that
// fill gauges at scrape time, rendered in the text exposition format (version 0.0.4). Written
// here rather than taken from prom-client: the server needs a few dozen series, and the hot path
// (one histogram observation per HTTP request) must stay a map lookup and an array increment.

export type LabelValues = Readonly<Record<string, string | number>>;

type MetricType = 'counter' | 'gauge' | 'histogram';

/** Seconds; from a fast cached GET (a few ms) to a slow Docker call. */
export const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const KEY_SEPARATOR = '\u0001';

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts: string[] = [];
  for (let i = 0; i < names.length; i += 1) parts.push(`${names[i]}="${escapeLabelValue(values[i] ?? '')}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

abstract class Metric<Series> {
  protected readonly series = new Map<string, { values: string[]; data: Series }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly labelNames: readonly string[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`Invalid metric name ${name}`);
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le') throw new Error(`Invalid label name ${label} on ${name}`);
    }
  }

  protected abstract emptySeries(): Series;

  /** The series of these label values, created on first use. */
  protected seriesFor(labels: LabelValues | undefined): Series {
    const values = this.labelNames.map((label) => {
      const value = labels?.[label];
      if (value === undefined) throw new Error(`Metric ${this.name} needs the label ${label}`);
      return String(value);
    });
    const key = values.join(KEY_SEPARATOR);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { values, data: this.emptySeries() };
      this.series.set(key, entry);
    }
    return entry.data;
  }

  /** Forgets every series, so labels that no longer exist (a removed app) stop being reported. */
  reset(): void {
    this.series.clear();
  }

  protected abstract renderSeries(values: string[], data: Series, lines: string[]): void;

  render(lines: string[]): void {
    lines.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    for (const { values, data } of this.series.values()) this.renderSeries(values, data, lines);
  }
}

type ValueSeries = { value: number };

export class Counter extends Metric<ValueSeries> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, 'counter', labelNames);
  }
  protected emptySeries(): ValueSeries {
    return { value: 0 };
  }
  inc(labels?: LabelValues, by = 1): void {
    if (by < 0) throw new Error(`Counter ${this.name} cannot decrease`);
    this.seriesFor(labels).value += by;
  }
  /** One series, looked up once: for hot paths (a reset() detaches it). */
  bind(labels?: LabelValues): { inc(): void } {
    const series = this.seriesFor(labels);
    return {
      inc: () => {
        series.value += 1;
      },
    };
  }
  /** For counters whose total is kept elsewhere (rows in the database): report that total. */
  setTotal(labels: LabelValues | undefined, total: number): void {
    this.seriesFor(labels).value = total;
  }
  protected renderSeries(values: string[], data: ValueSeries, lines: string[]): void {
    lines.push(`${this.name}${formatLabels(this.labelNames, values)} ${formatSampleValue(data.value)}`);
  }
}

export class Gauge extends Metric<ValueSeries> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, 'gauge', labelNames);
  }
  protected emptySeries(): ValueSeries {
    return { value: 0 };
  }
  set(labels: LabelValues | undefined, value: number): void {
    this.seriesFor(labels).value = value;
  }
  inc(labels?: LabelValues, by = 1): void {
    this.seriesFor(labels).value += by;
  }
  dec(labels?: LabelValues, by = 1): void {
    this.seriesFor(labels).value -= by;
  }
  protected renderSeries(values: string[], data: ValueSeries, lines: string[]): void {
    lines.push(`${this.name}${formatLabels(this.labelNames, values)} ${formatSampleValue(data.value)}`);
  }
}

/** Per-bucket counts (not cumulative: one increment per observation); cumulated when rendered. */
type HistogramSeries = { counts: number[]; sum: number; count: number };

export class Histogram extends Metric<HistogramSeries> {
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = LATENCY_BUCKETS_SECONDS) {
    super(name, help, 'histogram', labelNames);
    const sorted = [...buckets].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((bound, i) => !Number.isFinite(bound) || (i > 0 && bound === sorted[i - 1]))) {
      throw new Error(`Histogram ${name} needs distinct finite buckets`);
    }
    this.buckets = sorted;
  }

  protected emptySeries(): HistogramSeries {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(labels: LabelValues | undefined, value: number): void {
    this.record(this.seriesFor(labels), value);
  }

  /** One series, looked up once: for hot paths (a reset() detaches it). */
  bind(labels?: LabelValues): { observe(value: number): void } {
    const series = this.seriesFor(labels);
    return { observe: (value) => this.record(series, value) };
  }

  private record(series: HistogramSeries, value: number): void {
    const { buckets } = this;
    let index = 0;
    while (index < buckets.length && value > (buckets[index] as number)) index += 1;
    series.counts[index] = (series.counts[index] ?? 0) + 1;
    series.sum += value;
    series.count += 1;
  }

  /** For histograms computed elsewhere (durations aggregated in SQL): cumulative counts per bucket. */
  setCumulative(labels: LabelValues | undefined, cumulative: readonly number[], count: number, sum: number): void {
    if (cumulative.length !== this.buckets.length) throw new Error(`Histogram ${this.name} has ${this.buckets.length} buckets`);
    const series = this.seriesFor(labels);
    let previous = 0;
    cumulative.forEach((total, i) => {
      series.counts[i] = total - previous;
      previous = total;
    });
    series.counts[this.buckets.length] = count - previous;
    series.count = count;
    series.sum = sum;
  }

  protected renderSeries(values: string[], data: HistogramSeries, lines: string[]): void {
    let cumulative = 0;
    this.buckets.forEach((bound, i) => {
      cumulative += data.counts[i] ?? 0;
      lines.push(`${this.name}_bucket${formatLabels(this.labelNames, values, ['le', formatSampleValue(bound)])} ${cumulative}`);
    });
    lines.push(`${this.name}_bucket${formatLabels(this.labelNames, values, ['le', '+Inf'])} ${data.count}`);
    const labels = formatLabels(this.labelNames, values);
    lines.push(`${this.name}_sum${labels} ${formatSampleValue(data.sum)}`, `${this.name}_count${labels} ${data.count}`);
  }
}

/** Fills metrics right before a scrape is rendered (gauges read from elsewhere). */
export type Collector = () => void | Promise<void>;

export class MetricsRegistry {
  private readonly metrics = new Map<string, Counter | Gauge | Histogram>();
  private readonly collectors: Collector[] = [];

  private add<T extends Counter | Gauge | Histogram>(metric: T): T {
    const existing = this.metrics.get(metric.name);
    if (existing) {
      // Two modules asking for the same metric share it, as long as they agree on what it is.
      if (existing.type !== metric.type || existing.labelNames.join() !== metric.labelNames.join()) {
        throw new Error(
          `Metric ${metric.name} is already registered as a ${existing.type} with labels [${existing.labelNames.join(', ')}]`,
        );
      }
      return existing as T;
    }
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** Runs before every scrape; a failing collector leaves its metrics as they were and is counted. */
  collect(collector: Collector): void {
    this.collectors.push(collector);
  }

  /** Runs every collector; returns how many threw (their metrics keep their last values). */
  async runCollectors(): Promise<number> {
    const results = await Promise.allSettled(this.collectors.map(async (collector) => collector()));
    return results.filter((result) => result.status === 'rejected').length;
  }

  /** The whole registry in the text format, as it is now (run the collectors first). */
  renderText(): string {
    const lines: string[] = [];
    for (const metric of this.metrics.values()) metric.render(lines);
    return `${lines.join('\n')}\n`;
  }
}
