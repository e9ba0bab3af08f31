import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from './time.ts';

const maxTime = 8.64e15;

describe('isoTime', () => {
  it("is toISOString's text for every time Date can hold", () => {
    fc.assert(
      fc.property(fc.integer({ min: -maxTime, max: maxTime }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
    // Times of this era, many on the same few days (the cached day text).
    fc.assert(
      fc.property(fc.integer({ min: 1.7e12, max: 1.7e12 + 5 * 86_400_000 }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
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
