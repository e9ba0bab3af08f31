import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { LoadReport } from './run.ts';

const require = createRequire(import.meta.url);
/** uPlot, the console's charting library, inlined: the report is one file, opened from disk. */
const uplot = {
  script: () => readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
  style: () => readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
};

/** JSON inside a <script>: no `</script>` or `<!--` can end it early. */
const scriptJson = (value: unknown) => JSON.stringify(value).replaceAll('<', '\\u003c');

export interface ReportGoals {
  /** The freshness goal drawn on its chart (ms): the platform's target is p99 under 1 s. */
  p99GoalMs: number;
}

/**
 * The charts: one time axis (seconds since the first event), each value axis with its unit,
 * and the targets as dashed lines (the rate offered, the p99 goal).
 */
function charts(report: LoadReport, goals: ReportGoals): string {
  const t = report.timeline;
  const data = {
    seconds: t.map((p) => p.second),
    accepted: t.map((p) => p.acceptedPerSecond),
    applied: t.map((p) => p.appliedPerSecond),
    offered: report.offeredPerSecond > 0 ? t.map(() => report.offeredPerSecond) : null,
    p99: t.map((p) => p.freshnessP99Ms),
    goal: t.map(() => goals.p99GoalMs),
    lag: t.map((p) => p.lag),
  };
  return `<style>${uplot.style()}</style>
<h2>Rate</h2><div id="rate"></div>
<h2>Freshness p99 (event accepted to queryable)</h2><div id="freshness"></div>
<h2>Consumer lag (aggregator)</h2><div id="lag"></div>
<script>${uplot.script()}</script>
<script>
const d = ${scriptJson(data)};
const width = Math.min(1000, document.body.clientWidth - 20);
const time = { label: 'time since the first event (s)', labelSize: 18 };
const axis = (unit) => ({ label: unit, labelSize: 18, size: 70 });
const line = (label, stroke, unit, dash) => ({ label, stroke, width: 2, dash, points: { show: !dash }, value: (u, v) => v == null ? '–' : v.toLocaleString() + ' ' + unit });
const chart = (id, unit, series, values) => new uPlot({ width, height: 260, scales: { x: { time: false } }, axes: [time, axis(unit)], series: [{ label: 's' }, ...series] }, [d.seconds, ...values], document.getElementById(id));
chart('rate', 'events/s',
  [line('accepted', '#1b5fad', 'events/s'), line('applied', '#1e8449', 'events/s'), ...(d.offered ? [line('offered (target)', '#7f8c8d', 'events/s', [6, 4])] : [])],
  [d.accepted, d.applied, ...(d.offered ? [d.offered] : [])]);
chart('freshness', 'ms', [line('p99', '#c0392b', 'ms'), line('p99 goal', '#7f8c8d', 'ms', [6, 4])], [d.p99, d.goal]);
chart('lag', 'events', [line('lag', '#8e44ad', 'events')], [d.lag]);
</script>`;
}

function cpuTable(report: LoadReport): string {
  if (!report.cpu) return '';
  const rows = report.cpu.parts
    .map(
      (p) =>
        `<tr><td style="text-align:left">${p.part}</td><td>${p.cpuSeconds} s</td><td>${p.microsPerEvent} µs</td></tr>`,
    )
    .join('');
  return `<h2>CPU per event (from /proc, first event sent until drained)</h2><table><tr><th style="text-align:left">part</th><th>CPU</th><th>per event</th></tr>${rows}
<tr><th style="text-align:left">platform</th><th>${report.cpu.platform.cpuSeconds} s</th><th>${report.cpu.platform.microsPerEvent} µs</th></tr>
<tr><td style="text-align:left">load generator (not counted)</td><td>${report.cpu.loadgen.cpuSeconds} s</td><td>${report.cpu.loadgen.microsPerEvent} µs</td></tr></table>`;
}

export function htmlReport(report: LoadReport, goals: ReportGoals = { p99GoalMs: 1_000 }): string {
  const escapeHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
  return `<!doctype html><html><head><meta charset="utf-8"><title>loadgen ${escapeHtml(report.profile)} ${escapeHtml(report.prefix)}</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;text-align:right}</style></head><body>
<h1>Load run ${escapeHtml(report.prefix)}: ${report.exact ? 'exact' : `${report.differences.length} differences`}</h1>
<table><tr><th>events</th><th>accepted/s</th><th>applied/s</th><th>freshness p50</th><th>p95</th><th>p99</th><th>max</th></tr>
<tr><td>${report.events}</td><td>${report.acceptedPerSecond}</td><td>${report.appliedPerSecond ?? 'n/a'}</td><td>${report.freshnessMs.p50} ms</td><td>${report.freshnessMs.p95} ms</td><td>${report.freshnessMs.p99} ms</td><td>${report.freshnessMs.max} ms</td></tr></table>
${cpuTable(report)}
${charts(report, goals)}
<pre>${escapeHtml(JSON.stringify({ ...report, timeline: undefined }, null, 2))}</pre></body></html>`;
}
