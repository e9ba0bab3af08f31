import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from './time.ts';

const maxTime = 8.64e15;

describe('isoTime', () => {
  // 40 000 cases take seconds on a machine busy starting the stack beside the unit tests: room
  // beyond the default 5 s. A predicate per case; fast-check names the counterexample.
  it("is toISOString's text for every time Date can hold", { timeout: 60_000 }, () => {
    const same = (ms: number) => isoTime(ms) === new Date(ms).toISOString();
    fc.assert(fc.property(fc.integer({ min: -maxTime, max: maxTime }), same), { numRuns: 20_000 });
    // Times of this era, many on the same few days (the cached day text).
    fc.assert(fc.property(fc.integer({ min: 1.7e12, max: 1.7e12 + 5 * 86_400_000 }), same), {
      numRuns: 20_000,
    });
  });

  it('gives the edges of a day and of the era as Date does', () => {
    for (const ms of [
      0,
      -1,
      86_399_999,
      86_400_000,
      1_764_979_199_999,
      253_402_300_799_999,
      253_402_300_800_000,
      -62_167_219_200_001,
      maxTime,
      -maxTime,
    ])
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    expect(isoTime(1_764_979_199_999)).toBe('2025-12-05T23:59:59.999Z');
  });

  it('keeps fractions of a millisecond as Date does (it drops them)', () => {
    expect(isoTime(1_700_000_000_123.7)).toBe(new Date(1_700_000_000_123.7).toISOString());
  });

  it('refuses what Date refuses', () => {
    for (const ms of [Number.NaN, Number.POSITIVE_INFINITY, maxTime + 1])
      expect(() => isoTime(ms)).toThrow(RangeError);
  });
});
