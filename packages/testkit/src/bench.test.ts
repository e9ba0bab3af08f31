import { describe, expect, it } from 'vitest';
import { peakResidentMbOf, settingsArg } from './bench.ts';

describe('peakResidentMbOf', () => {
  it("reads a live process' high-water mark, at least what it holds now", () => {
    const residentNow = Math.floor(process.memoryUsage().rss / 2 ** 20);
    expect(peakResidentMbOf(process.pid)).toBeGreaterThanOrEqual(residentNow);
  });

  it('names the process it cannot read', () => {
    expect(() => peakResidentMbOf(2 ** 30)).toThrow(`/proc/${2 ** 30}/status`);
  });
});

describe('settingsArg', () => {
  it('reads NAME=value pairs, a value keeping its own = signs', () => {
    expect(settingsArg(' AGG_A=1  QUERY_B=x=y ')).toEqual({ AGG_A: '1', QUERY_B: 'x=y' });
    expect(settingsArg(undefined)).toEqual({});
    expect(settingsArg('')).toEqual({});
  });

  it('refuses an entry that is not NAME=value, by its text', () => {
    expect(() => settingsArg('AGG_A=1 AGG_B')).toThrow("'AGG_B' is not NAME=value");
    expect(() => settingsArg('=1')).toThrow("'=1' is not NAME=value");
  });
});
