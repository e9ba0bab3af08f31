import { describe, expect, it } from 'vitest';
import { formatNumber, formatSpread, markdownTable, quantile, spread } from './stats.ts';

describe('benchmark statistics', () => {
  it('takes quantiles by nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile(sorted, 1)).toBe(100);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('gives the median and range of runs, ignoring runs without a figure', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(spread([4, 1, Number.NaN, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
    expect(spread([]).runs).toBe(0);
  });

  it('formats figures with grouped thousands', () => {
    expect(formatNumber(1234567)).toBe('1 234 567');
    expect(formatNumber(1234.567, 1)).toBe('1 234.6');
    expect(formatSpread(spread([120_000, 100_000, 110_000]))).toBe('110 000 (100 000-120 000)');
    expect(formatSpread(spread([5]), 1)).toBe('5.0');
    expect(formatSpread(spread([]))).toBe('-');
  });

  it('pads a Markdown table', () => {
    expect(markdownTable(['a', 'bb'], [['ccc', 'd']])).toBe('| a   | bb |\n| --- | -- |\n| ccc | d  |');
  });
});
