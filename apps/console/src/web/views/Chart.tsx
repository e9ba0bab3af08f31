import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { type ChartData, formatValue, latest } from '../prom.ts';

const palette = ['#1b5fad', '#c0392b', '#1e8449', '#8e44ad', '#b9770e', '#117a8b', '#5d6d7e', '#a04000'];

export interface ChartProps {
  title: string;
  /** The y axis' unit, e.g. `events/s`, `s`, `events`. */
  unit: string;
  chart: ChartData | undefined;
  error?: string | undefined;
}

/**
 * A time chart (uPlot) with a time axis, a y axis naming its unit, and a legend; the newest
 * values are also written out beside it, for screen readers and small screens.
 */
export function Chart({ title, unit, chart, error }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element || !chart || chart.points === 0) return;
    const width = Math.max(260, element.clientWidth);
    const options: uPlot.Options = {
      width,
      height: 220,
      series: [
        { label: 'time' },
        ...chart.labels.map((label, i) => ({
          label,
          stroke: palette[i % palette.length] as string,
          width: 2,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => formatValue(v, unit),
        })),
      ],
      axes: [
        { label: 'time (local)', labelSize: 18, size: 40 },
        {
          label: unit,
          labelSize: 18,
          size: 56,
          values: (_u: uPlot, ticks: number[]) => ticks.map((t) => formatValue(t, unit === 's' ? 's' : '')),
        },
      ],
      scales: { y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      legend: { live: true },
    };
    plot.current?.destroy();
    plot.current = new uPlot(options, chart.data as uPlot.AlignedData, element);
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(260, element.clientWidth), height: 220 });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [chart, unit]);

  const newest = chart ? latest(chart) : [];
  return (
    <figure class="chart" data-points={chart?.points ?? 0}>
      <figcaption>
        {title} <span class="unit">({unit})</span>
      </figcaption>
      {error ? (
        <p class="problem" role="alert">
          {error}
        </p>
      ) : !chart ? (
        <p class="muted">loading…</p>
      ) : chart.points === 0 ? (
        <p class="muted">no data in this time range</p>
      ) : null}
      <div ref={box} class="plot" aria-hidden="true" />
      {newest.length > 0 && (
        <p class="latest">
          now:{' '}
          {newest.map((s, i) => (
            <span key={s.label}>
              {i > 0 && ', '}
              {s.label} {formatValue(s.value, unit)}
            </span>
          ))}
        </p>
      )}
    </figure>
  );
}
