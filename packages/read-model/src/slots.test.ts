import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterSlots, keySlot, partitionTag } from './slots.ts';

// ioredis' own slot function: what the cluster client routes by.
const calculateSlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

describe('cluster slots', () => {
  it('keys slot as Redis does (CLUSTER KEYSLOT values from its documentation), tags included', () => {
    expect(keySlot('somekey')).toBe(11058);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    // An empty tag: Redis hashes the whole key ("foo{}{bar}" is not in bar's slot); ioredis'
    // cluster-key-slot skips the empty tag and takes the next "}" instead. The platform's tags
    // are never empty, and a client's wrong guess is corrected by Redis' MOVED.
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((key) => !key.includes('{}')),
        (key) => keySlot(key) === calculateSlot(key),
      ),
    );
  });

  it('puts partition p of N in the p-th N-th of the slot space', () => {
    for (const partitions of [1, 3, 12, 24, 48, 100]) {
      for (let p = 0; p < partitions; p++) {
        const slot = keySlot(`inv:{${partitionTag(p, partitions)}}:offset`);
        expect(slot).toBeGreaterThanOrEqual(Math.floor((p * clusterSlots) / partitions));
        expect(slot).toBeLessThan(Math.floor(((p + 1) * clusterSlots) / partitions));
      }
    }
  });

  it('spreads 12 partitions 4/4/4 over 3 primaries and 3/3/3/3 over 4 (equal slot ranges)', () => {
    const spread = (primaries: number) => {
      const counts = new Array(primaries).fill(0);
      for (let p = 0; p < 12; p++)
        counts[Math.floor((keySlot(`{${partitionTag(p, 12)}}`) * primaries) / clusterSlots)]++;
      return counts;
    };
    expect(spread(3)).toEqual([4, 4, 4]);
    expect(spread(4)).toEqual([3, 3, 3, 3]);
    expect(spread(6)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('refuses partitions outside the count', () => {
    expect(() => partitionTag(12, 12)).toThrow('partition 12 is outside 0..11');
    expect(() => partitionTag(0, 0)).toThrow('partition count must be an integer');
  });
});
