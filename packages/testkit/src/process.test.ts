import { describe, expect, it } from 'vitest';
import { appPortRange, portFrom } from './process.ts';

const range = { low: 24_000, high: 24_010 };

describe('the port an app under test is given', () => {
  it('is the next one when nothing listens there', () => {
    expect(portFrom(24_003, new Set([25_672]), range)).toBe(24_003);
  });

  it('passes over ports a server of the machine listens on', () => {
    expect(portFrom(24_003, new Set([24_003, 24_004]), range)).toBe(24_005);
  });

  it('wraps round to the start of the range', () => {
    expect(portFrom(24_008, new Set([24_008, 24_009, 24_000]), range)).toBe(24_001);
  });

  it('refuses when every port of the range is listened on, naming the range', () => {
    const all = new Set(Array.from({ length: 10 }, (_, i) => 24_000 + i));
    expect(() => portFrom(24_000, all, range)).toThrow('every port of 24000-24009 is listened on');
  });
});

describe('the range of ports a test process takes from', () => {
  it("is below Linux' ephemeral range, whole outside vitest's workers", () => {
    expect(appPortRange(undefined)).toEqual({ low: 24_000, high: 32_700 });
  });

  it('is one half for each of the two workers side by side, the halves apart', () => {
    expect(appPortRange('1')).toEqual({ low: 24_000, high: 28_350 });
    expect(appPortRange('2')).toEqual({ low: 28_350, high: 32_700 });
  });

  it('is whole for any other worker number', () => {
    expect(appPortRange('3')).toEqual({ low: 24_000, high: 32_700 });
  });
});
