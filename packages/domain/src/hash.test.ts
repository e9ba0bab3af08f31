import { describe, expect, it } from 'vitest';
import { murmur3x86x128 } from './hash.ts';

const hex = (words: number[]) => words.map((w) => w.toString(16).padStart(8, '0')).join('');

describe('murmur3x86x128', () => {
  // Reference outputs of MurmurHash3_x86_128 over the UTF-8 bytes (Appleby's C code, as
  // published implementations compute it): the fingerprint of an eventId must never change.
  it.each([
    ['', 0, '00000000000000000000000000000000'],
    ['hello', 0, '2b2444a0db91def79adb31b69adb31b6'],
    ['The quick brown fox jumps over the lazy dog', 0, '2f1583c3ecee2c675d7bf66ce5e91d2c'],
    ['store:store-001-tills:till-1-receipt-42', 0, '6d603527e5d844917f9d09355fc280c6'],
    ['ä-umlaut-€', 42, 'dbb43d2e6ac48f2ac542449b429bf00f'],
    ['0123456789abcdef', 0, 'fb7d440936aed30a48ad1d9b572b3bfd'],
    ['0123456789abcdefg', 1, '5ca34484e3f7f6cf77e588b34ddf375d'],
  ])('%j (seed %i) hashes to the reference value', (text, seed, expected) => {
    expect(hex(murmur3x86x128(text, seed))).toBe(expected);
  });

  it('a long text reuses a grown buffer and still hashes every byte', () => {
    const long = 'x'.repeat(1_000);
    expect(murmur3x86x128(long)).not.toEqual(murmur3x86x128(`${'x'.repeat(999)}y`));
    expect(murmur3x86x128('hello')).toEqual(murmur3x86x128('hello'));
  });
});
