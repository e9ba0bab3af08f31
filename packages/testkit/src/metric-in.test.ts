import { describe, expect, it } from 'vitest';
import { metricIn } from './process.ts';

const text = `# HELP aggregator_state_lookups_total States touched
# TYPE aggregator_state_lookups_total counter
aggregator_state_lookups_total{from="cache",partition="1"} 3
aggregator_state_lookups_total{from="redis",partition="1"} 7
aggregator_state_lookups_total{from="redis",partition="2"} 5
aggregator_state_lookups_total_other 100
up 1
`;

describe('metricIn', () => {
  it('sums every label set, or those with the labels asked for', () => {
    expect(metricIn(text, 'aggregator_state_lookups_total')).toBe(15);
    expect(metricIn(text, 'aggregator_state_lookups_total', { from: 'redis' })).toBe(12);
    expect(metricIn(text, 'aggregator_state_lookups_total', { from: 'redis', partition: '2' })).toBe(5);
    expect(metricIn(text, 'aggregator_state_lookups_total', { from: 'disk' })).toBe(0);
    expect(metricIn(text, 'up')).toBe(1);
  });
});
