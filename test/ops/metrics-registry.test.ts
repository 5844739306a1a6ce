// unit tier: the registry other modules use through services.metrics.registry.
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../src/server/modules/metrics/metrics-registry.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and histograms that a strict parser accepts', async () => {
    const registry = new MetricsRegistry();
    registry.counter('jobs_total', 'Jobs run', ['kind']).inc({ kind: 'backup' }, 2);
    registry.gauge('queue_depth', 'Jobs waiting').set(undefined, 7);
    const histogram = registry.histogram('job_seconds', 'Job time', ['kind'], [1, 5]);
    for (const seconds of [0.5, 1, 3, 9]) histogram.observe({ kind: 'backup' }, seconds);
    expect(await registry.runCollectors()).toBe(0);
    const families = parsePrometheusText(registry.renderText());
    expect(sampleValue(families, 'jobs_total', { kind: 'backup' })).toBe(2);
    expect(sampleValue(families, 'queue_depth')).toBe(7);
    expect(families.get('job_seconds')?.samples).toEqual([
      { name: 'job_seconds_bucket', labels: { kind: 'backup', le: '1' }, value: 2 },
      { name: 'job_seconds_bucket', labels: { kind: 'backup', le: '5' }, value: 3 },
      { name: 'job_seconds_bucket', labels: { kind: 'backup', le: '+Inf' }, value: 4 },
      { name: 'job_seconds_sum', labels: { kind: 'backup' }, value: 13.5 },
      { name: 'job_seconds_count', labels: { kind: 'backup' }, value: 4 },
    ]);
  });

  it('escapes backslashes, quotes and line breaks in label values and help text', () => {
    const registry = new MetricsRegistry();
    registry.gauge('odd_labels', 'Help with a \\ and a\nbreak', ['value']).set({ value: 'a "quoted" \\ path\nnext' }, 1);
    const text = registry.renderText();
    expect(text).toBe(
      '# HELP odd_labels Help with a \\\\ and a\\nbreak\n# TYPE odd_labels gauge\nodd_labels{value="a \\"quoted\\" \\\\ path\\nnext"} 1\n',
    );
    expect(parsePrometheusText(text).get('odd_labels')?.samples[0]?.labels.value).toBe('a "quoted" \\ path\nnext');
  });

  it('takes cumulative bucket counts computed elsewhere', () => {
    const registry = new MetricsRegistry();
    registry.histogram('deploy_seconds', 'Deploy time', [], [10, 60]).setCumulative(undefined, [1, 3], 4, 250);
    expect(registry.renderText()).toContain(
      'deploy_seconds_bucket{le="10"} 1\ndeploy_seconds_bucket{le="60"} 3\ndeploy_seconds_bucket{le="+Inf"} 4\ndeploy_seconds_sum 250\ndeploy_seconds_count 4\n',
    );
  });

  it('hands out the same metric to a second module asking for it, and refuses a conflicting definition', () => {
    const registry = new MetricsRegistry();
    const first = registry.counter('shared_total', 'Shared', ['kind']);
    expect(registry.counter('shared_total', 'Shared', ['kind'])).toBe(first);
    expect(() => registry.gauge('shared_total', 'Shared', ['kind'])).toThrow(
      'Metric shared_total is already registered as a counter with labels [kind]',
    );
    expect(() => registry.counter('shared_total', 'Shared', ['other'])).toThrow(
      'Metric shared_total is already registered as a counter with labels [kind]',
    );
  });

  it('refuses invalid names, missing labels and decreasing counters', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter('bad-name', 'x')).toThrow('Invalid metric name bad-name');
    expect(() => registry.histogram('h', 'x', ['le'])).toThrow('Invalid label name le on h');
    const counter = registry.counter('c_total', 'x', ['kind']);
    expect(() => counter.inc({})).toThrow('Metric c_total needs the label kind');
    expect(() => counter.inc({ kind: 'a' }, -1)).toThrow('Counter c_total cannot decrease');
  });

  it('counts collectors that fail and keeps their last values', async () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge('flaky', 'Flaky');
    let calls = 0;
    registry.collect(() => {
      calls += 1;
      if (calls > 1) throw new Error('source unavailable');
      gauge.set(undefined, 5);
    });
    expect(await registry.runCollectors()).toBe(0);
    expect(await registry.runCollectors()).toBe(1);
    expect(sampleValue(parsePrometheusText(registry.renderText()), 'flaky')).toBe(5);
  });
});
