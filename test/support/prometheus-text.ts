/** One sample of a Prometheus text exposition. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromExposition {
  types: Map<string, string>;
  samples: PromSample[];
}

const COMMENT = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/;
// Values parse as Go's ParseFloat does (Prometheus' own parser): NaN and Inf in any case, as
// prom-client writes `Nan` for a gauge that has no samples yet.
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|[+-]?[Ii][Nn][Ff])( -?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

/**
 * Parses the Prometheus text format strictly: every line is a HELP or TYPE comment, a
 * blank line or a sample, every sample belongs to a declared family, and histogram
 * buckets are cumulative. Throws naming the first line that is not.
 */
export function parsePrometheusText(text: string): PromExposition {
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const comment = COMMENT.exec(line);
    if (comment) {
      const [, kind, family = '', type = ''] = comment;
      if (kind === 'TYPE' && !TYPES.has(type)) throw new Error(`line ${i + 1}: bad type ${line}`);
      if (kind === 'TYPE') types.set(family, type);
      return;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`line ${i + 1} is not Prometheus text: ${line}`);
    const [, name = '', , labels = '', value] = sample;
    const family = familyOf(name, types);
    if (!family) throw new Error(`line ${i + 1}: sample of an undeclared family: ${line}`);
    samples.push({ name, labels: parseLabels(labels, i), value: parseValue(value ?? '') });
  });
  checkBucketsCumulative(samples);
  return { types, samples };
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const suffix = SUFFIXES.find((s) => name.endsWith(s));
  const base = suffix ? name.slice(0, -suffix.length) : undefined;
  return base && types.has(base) ? base : undefined;
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw new Error(`line ${line + 1}: malformed labels {${text}}`);
    const [, key = '', labelValue = ''] = match;
    labels[key] = labelValue;
  }
  return labels;
}

function checkBucketsCumulative(samples: PromSample[]): void {
  const last = new Map<string, number>();
  for (const s of samples.filter((x) => x.name.endsWith('_bucket'))) {
    const series = Object.entries(s.labels).filter(([label]) => label !== 'le');
    const key = `${s.name}${JSON.stringify(series)}`;
    if (s.value < (last.get(key) ?? 0)) throw new Error(`buckets of ${key} are not cumulative`);
    last.set(key, s.value);
  }
}

/** Sum of the samples named `name` whose labels include `labels`. */
export function sampleSum(
  exposition: PromExposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  return exposition.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === 'inf' || lower === '+inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}
