import { describe, expect, it } from 'vitest';
import { peakResidentMbOf } from './bench.ts';

describe('peakResidentMbOf', () => {
  it("reads a live process' high-water mark, at least what it holds now", () => {
    const residentNow = Math.floor(process.memoryUsage().rss / 2 ** 20);
    expect(peakResidentMbOf(process.pid)).toBeGreaterThanOrEqual(residentNow);
  });

  it('names the process it cannot read', () => {
    expect(() => peakResidentMbOf(2 ** 30)).toThrow(`/proc/${2 ** 30}/status`);
  });
});
