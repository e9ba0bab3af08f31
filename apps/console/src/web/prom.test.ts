import { describe, expect, it } from 'vitest';
import { formatValue, latest, type Matrix, rangeOf, seriesName, toChartData } from './prom.ts';

const matrix = (result: Matrix['result']): Matrix => ({ resultType: 'matrix', result });

describe('Prometheus answers as charts', () => {
  it('aligns series on the union of their times, gaps as null, NaN a gap, sorted by name', () => {
    const chart = toChartData([
      {
        matrix: matrix([
          {
            metric: { partition: '1' },
            values: [
              [100, '5'],
              [102, '7'],
            ],
          },
          {
            metric: { partition: '0' },
            values: [
              [102, 'NaN'],
              [104, '1'],
            ],
          },
        ]),
        by: ['partition'],
        name: 'lag',
      },
      { matrix: matrix([{ metric: {}, values: [[104, '2.5']] }]), by: [], name: 'applied' },
    ]);
    expect(chart.labels).toEqual(['0', '1', 'applied']);
    expect(chart.data).toEqual([
      [100, 102, 104],
      [null, null, 1],
      [5, 7, null],
      [null, null, 2.5],
    ]);
    expect(chart.points).toBe(4);
    expect(latest(chart)).toEqual([
      { label: '0', value: 1 },
      { label: '1', value: 7 },
      { label: 'applied', value: 2.5 },
    ]);
  });

  it('is empty without results', () => {
    expect(toChartData([{ matrix: matrix([]), by: [], name: 'x' }])).toEqual({
      labels: [],
      data: [[]],
      points: 0,
    });
  });

  it('names a series by the labels asked for, or the fallback', () => {
    expect(seriesName({ topic: 't', code: 'BAD' }, ['topic', 'code'], 'x')).toBe('t BAD');
    expect(seriesName({}, ['topic'], 'dead letters')).toBe('dead letters');
  });

  it('asks about 200 points over the range, never below the 2 s scrape', () => {
    expect(rangeOf(1_000_000_500, 15)).toEqual({ start: 1_000_000 - 900, end: 1_000_000, step: 5 });
    expect(rangeOf(1_000_000_000, 1)).toEqual({ start: 1_000_000 - 60, end: 1_000_000, step: 2 });
  });

  it('formats values with units', () => {
    expect(formatValue(0.0123, 's')).toBe('12 ms');
    expect(formatValue(3.21, 's')).toBe('3.21 s');
    expect(formatValue(1534, 'events/s')).toBe('1.5k events/s');
    expect(formatValue(0.25, '/s')).toBe('0.25 /s');
    expect(formatValue(12, '')).toBe('12');
    expect(formatValue(null, 's')).toBe('–');
  });
});
