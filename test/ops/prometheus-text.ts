// A strict parser of the Prometheus text exposition format (0.0.4), written for the tests so the
// server's output is checked by code that shares nothing with the code that writes it.

export type Sample = { name: string; labels: Record<string, string>; value: number };
export type Family = {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string | null;
  samples: Sample[];
};

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE_LINE = new RegExp(`^(${NAME})(\\{(.*)\\})?\\s+(\\S+)(\\s+-?\\d+)?$`);
const LABEL_PAIR = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/;

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^-?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+)$/.test(text)) throw new Error(`line ${line}: ${text} is not a number`);
  return Number(text);
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = LABEL_PAIR.exec(rest);
    if (!match) throw new Error(`line ${line}: bad labels {${text}}`);
    const [whole, name, raw] = match as unknown as [string, string, string];
    if (name in labels) throw new Error(`line ${line}: label ${name} appears twice`);
    labels[name] = raw.replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
    rest = rest.slice(whole.length);
  }
  return labels;
}

/** The family a sample belongs to: histogram samples carry _bucket, _sum and _count suffixes. */
function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(sampleName);
  if (direct) return direct;
  const match = /^(.*)_(bucket|sum|count)$/.exec(sampleName);
  const base = match ? families.get(match[1] as string) : undefined;
  return base && (base.type === 'histogram' || base.type === 'summary') ? base : undefined;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const seenSeries = new Set<string>();
  text
    .slice(0, -1)
    .split('\n')
    .forEach((raw, index) => {
      const line = index + 1;
      if (raw.trim() === '') return;
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (meta) {
        const [, kind, name, rest] = meta as unknown as [string, 'HELP' | 'TYPE', string, string];
        if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
        const family = families.get(name) ?? { name, type: 'untyped' as const, help: null, samples: [] };
        if (family.samples.length > 0) throw new Error(`line ${line}: ${kind} of ${name} after its samples`);
        if (kind === 'TYPE') {
          if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`line ${line}: bad type ${rest}`);
          family.type = rest as Family['type'];
        } else family.help = rest;
        families.set(name, family);
        return;
      }
      if (raw.startsWith('#')) return;
      const match = SAMPLE_LINE.exec(raw);
      if (!match) throw new Error(`line ${line}: not a sample: ${raw}`);
      const [, name, , labelText, valueText] = match as unknown as [string, string, string | undefined, string | undefined, string];
      const family = familyOf(name, families);
      if (!family) throw new Error(`line ${line}: sample ${name} has no # TYPE before it`);
      const labels = parseLabels(labelText ?? '', line);
      const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      if (seenSeries.has(key)) throw new Error(`line ${line}: series ${key} appears twice`);
      seenSeries.add(key);
      const value = parseValue(valueText, line);
      if (family.type === 'counter' && !(value >= 0)) throw new Error(`line ${line}: counter ${name} is ${value}`);
      family.samples.push({ name, labels, value });
    });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** Buckets rise with le, end with +Inf, and +Inf equals _count, for every label set. */
function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const group = groups.get(key) ?? { buckets: [] };
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      group.buckets.push([le === '+Inf' ? Infinity : Number(le), sample.value]);
    } else if (sample.name === `${family.name}_count`) group.count = sample.value;
    else if (sample.name === `${family.name}_sum`) group.sum = sample.value;
    else throw new Error(`${family.name}: unexpected sample ${sample.name}`);
    groups.set(key, group);
  }
  for (const [key, group] of groups) {
    const bounds = group.buckets.map(([bound]) => bound);
    if (bounds.at(-1) !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    for (let i = 1; i < group.buckets.length; i += 1) {
      const [bound, count] = group.buckets[i] as [number, number];
      const [previousBound, previousCount] = group.buckets[i - 1] as [number, number];
      if (!(bound > previousBound) || count < previousCount) throw new Error(`${family.name}${key}: buckets do not rise`);
    }
    if (group.count !== (group.buckets.at(-1) as [number, number])[1])
      throw new Error(`${family.name}${key}: +Inf bucket differs from _count`);
    if (group.sum === undefined) throw new Error(`${family.name}${key}: no _sum`);
  }
}

/** The value of one sample, or undefined; `labels` must match exactly the sample's labels given. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      if (Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) return sample.value;
    }
  }
  return undefined;
}
