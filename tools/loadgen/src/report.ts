import type { LoadReport, TimelinePoint } from './run.ts';

/** A line chart as inline SVG: one polyline per series, scaled to its own maximum. */
function chart(
  title: string,
  points: TimelinePoint[],
  series: { name: string; color: string; value: (p: TimelinePoint) => number | null }[],
): string {
  const width = 900;
  const height = 220;
  const pad = 40;
  const lines = series.map((s) => {
    const values = points.map(s.value);
    const max = Math.max(1, ...values.filter((v): v is number => v !== null));
    const coordinates = values
      .map((v, i) =>
        v === null
          ? null
          : `${pad + (i / Math.max(1, points.length - 1)) * (width - 2 * pad)},${height - pad - (v / max) * (height - 2 * pad)}`,
      )
      .filter((c) => c !== null)
      .join(' ');
    return `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${coordinates}"/><text x="${width - pad}" y="${20 + 16 * series.indexOf(s)}" text-anchor="end" fill="${s.color}">${s.name} (max ${Math.round(max)})</text>`;
  });
  return `<h2>${title}</h2><svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><rect width="100%" height="100%" fill="#fafafa"/><line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#999"/><text x="${pad}" y="${height - 10}">0 s</text><text x="${width - pad}" y="${height - 10}" text-anchor="end">${points.length} s</text>${lines.join('')}</svg>`;
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

export function htmlReport(report: LoadReport): string {
  const escapeHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
  return `<!doctype html><html><head><meta charset="utf-8"><title>loadgen ${report.profile} ${report.prefix}</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;text-align:right}</style></head><body>
<h1>Load run ${escapeHtml(report.prefix)}: ${report.exact ? 'exact' : `${report.differences.length} differences`}</h1>
<table><tr><th>events</th><th>accepted/s</th><th>applied/s</th><th>freshness p50</th><th>p95</th><th>p99</th><th>max</th></tr>
<tr><td>${report.events}</td><td>${report.acceptedPerSecond}</td><td>${report.appliedPerSecond ?? 'n/a'}</td><td>${report.freshnessMs.p50} ms</td><td>${report.freshnessMs.p95} ms</td><td>${report.freshnessMs.p99} ms</td><td>${report.freshnessMs.max} ms</td></tr></table>
${cpuTable(report)}
${chart('Rate (events per second)', report.timeline, [
  { name: 'accepted/s', color: '#1f77b4', value: (p) => p.acceptedPerSecond },
  { name: 'applied/s', color: '#2ca02c', value: (p) => p.appliedPerSecond },
])}
${chart('Freshness p99 (ms) and consumer lag (events)', report.timeline, [
  { name: 'freshness p99 ms', color: '#d62728', value: (p) => p.freshnessP99Ms },
  { name: 'lag', color: '#9467bd', value: (p) => p.lag },
])}
<pre>${escapeHtml(JSON.stringify({ ...report, timeline: undefined }, null, 2))}</pre></body></html>`;
}
