/** A range query's answer (`resultType: matrix`) of Prometheus' HTTP API. */
export interface Matrix {
  resultType: 'matrix';
  result: { metric: Record<string, string>; values: [number, string][] }[];
}

/** An instant query's answer (`resultType: vector`). */
export interface Vector {
  resultType: 'vector';
  result: { metric: Record<string, string>; value: [number, string] }[];
}

/** Chart data as uPlot takes it: the times (seconds), then one array per series, aligned. */
export interface ChartData {
  labels: string[];
  data: [number[], ...(number | null)[][]];
  /** Points with a value, over every series: 0 means an empty chart. */
  points: number;
}

/** A series' name: the values of the labels asked for, or the fallback (a query without labels). */
export function seriesName(metric: Record<string, string>, by: readonly string[], fallback: string): string {
  const parts = by.map((label) => metric[label]).filter((v): v is string => v !== undefined && v !== '');
  return parts.length > 0 ? parts.join(' ') : fallback;
}

/**
 * Several range answers as one chart: every series on the union of the times, a missing
 * sample a gap (null), NaN and infinities (a quantile of no events) gaps as well.
 */
export function toChartData(
  answers: readonly { matrix: Matrix; by: readonly string[]; name: string }[],
): ChartData {
  const series: { label: string; samples: Map<number, number> }[] = [];
  const times = new Set<number>();
  for (const { matrix, by, name } of answers)
    for (const result of matrix.result) {
      const samples = new Map<number, number>();
      for (const [t, v] of result.values) {
        times.add(t);
        const value = Number(v);
        if (Number.isFinite(value)) samples.set(t, value);
      }
      series.push({ label: seriesName(result.metric, by, name), samples });
    }
  series.sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }));
  const x = [...times].sort((a, b) => a - b);
  let points = 0;
  const ys = series.map(({ samples }) =>
    x.map((t) => {
      const value = samples.get(t);
      if (value === undefined) return null;
      points++;
      return value;
    }),
  );
  return { labels: series.map((s) => s.label), data: [x, ...ys], points };
}

/** The start, end and step of a range query over the last `minutes`, about 200 points. */
export function rangeOf(nowMs: number, minutes: number): { start: number; end: number; step: number } {
  const end = Math.floor(nowMs / 1000);
  const step = Math.max(2, Math.round((minutes * 60) / 200));
  return { start: end - minutes * 60, end, step };
}

/** A value with its unit, short: 1.5k events/s, 250 ms, 3.2 s. */
export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (unit === 's') {
    if (value < 1) return `${Math.round(value * 1000)} ms`;
    return `${value.toFixed(value < 10 ? 2 : 1)} s`;
  }
  const abs = Math.abs(value);
  const text =
    abs >= 1e6
      ? `${(value / 1e6).toFixed(1)}M`
      : abs >= 1e3
        ? `${(value / 1e3).toFixed(1)}k`
        : abs >= 10 || Number.isInteger(value)
          ? `${Math.round(value)}`
          : value.toFixed(2);
  return unit ? `${text} ${unit}` : text;
}

/** The newest value of each series of a chart, for the text beside it. */
export function latest(chart: ChartData): { label: string; value: number | null }[] {
  return chart.labels.map((label, i) => {
    const values = chart.data[i + 1] as (number | null)[];
    for (let j = values.length - 1; j >= 0; j--)
      if (values[j] !== null) return { label, value: values[j] ?? null };
    return { label, value: null };
  });
}
