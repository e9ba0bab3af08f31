import { describe, expect, it } from 'vitest';
import { htmlReport } from './report.ts';
import type { LoadReport } from './run.ts';

const report: LoadReport = {
  profile: 'small',
  seed: 1,
  prefix: 'lg-</script>-x',
  events: 3000,
  probes: 10,
  senders: 8,
  processes: 1,
  batchSize: 500,
  offeredPerSecond: 1000,
  sendSeconds: 3,
  drainSeconds: 1,
  acceptedPerSecond: 1000,
  appliedPerSecond: 990,
  aggregatorReadings: { samples: 2, read: 1, slowestMs: 240, loopDelayMaxMs: 180 },
  freshnessMs: { samples: 10, p50: 40, p95: 90, p99: 120, max: 150 },
  cpu: null,
  timeline: [
    { second: 1, acceptedPerSecond: 900, appliedPerSecond: 800, lag: 100, freshnessP99Ms: 110 },
    { second: 2, acceptedPerSecond: 1100, appliedPerSecond: null, lag: null, freshnessP99Ms: null },
  ],
  exact: true,
  locationsCompared: 4,
  skusCompared: 20,
  differences: [],
};

describe('the HTML report', () => {
  const html = htmlReport(report, { p99GoalMs: 750 });

  it('draws with uPlot, inlined, so the file opens from disk', () => {
    expect(html).toMatch(/<script>\/\*! \S+uPlot \(v1\./);
    expect(html).toContain('.uplot');
    expect(html).not.toMatch(/<script[^>]* src=/);
  });

  it('charts the timeline with units on the axes and the targets: rate offered and p99 goal', () => {
    expect(html).toContain('"seconds":[1,2]');
    expect(html).toContain('"accepted":[900,1100]');
    expect(html).toContain('"applied":[800,null]');
    expect(html).toContain('"offered":[1000,1000]');
    expect(html).toContain('"goal":[750,750]');
    for (const unit of ["'events/s'", "'ms'", "'events'", 'time since the first event (s)'])
      expect(html).toContain(unit);
  });

  it('leaves no offered line when the run went as fast as accepted', () => {
    expect(htmlReport({ ...report, offeredPerSecond: 0 })).toContain('"offered":null');
  });

  it('escapes what came from outside', () => {
    expect(html).toContain('lg-&lt;/script>-x');
    expect(html.match(/<\/script>/g)).toHaveLength(2);
  });
});
