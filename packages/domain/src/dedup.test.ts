import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  beyondFoldHorizon,
  beyondHorizonProblem,
  dayMs,
  dedupDay,
  dedupDayExpiresAt,
  dedupFingerprint,
  defaultDedupPolicy,
  shardsForDay,
} from './dedup.ts';

const policy = defaultDedupPolicy;
const now = Date.parse('2026-12-01T12:00:00Z');

describe('the deduplication contract', () => {
  it('refuses an event older than the horizon where it enters, naming the horizon', () => {
    expect(beyondHorizonProblem(now - 7 * dayMs, now, policy)).toBeUndefined();
    expect(beyondHorizonProblem(now - 7 * dayMs - 1, now, policy)).toBe(
      'is older than the deduplication horizon of 7 days: a repeat of it could no longer be recognised, so it is not accepted (correct the stock with a COUNT)',
    );
  });

  it('folds what entered at the edge of the horizon for one more day (the grace)', () => {
    expect(beyondFoldHorizon(now - 8 * dayMs, now, policy)).toBe(false);
    expect(beyondFoldHorizon(now - 8 * dayMs - 1, now, policy)).toBe(true);
  });

  it('a day is remembered as long as any event of it can still be folded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 0, max: 30 * dayMs }),
        (occurredAt, lag) => {
          const foldedAt = occurredAt + lag;
          if (beyondFoldHorizon(occurredAt, foldedAt, policy)) return;
          expect(dedupDayExpiresAt(dedupDay(occurredAt), policy)).toBeGreaterThan(foldedAt);
        },
      ),
    );
  });

  it("sizes a day's shards from the day before: about 256 eventIds each, a power of two, at least the minimum", () => {
    expect(shardsForDay(0, 64)).toBe(64);
    expect(shardsForDay(16_384, 64)).toBe(64);
    expect(shardsForDay(16_385, 64)).toBe(128);
    expect(shardsForDay(400_000, 64)).toBe(2_048);
    expect(shardsForDay(10_000_000_000, 64)).toBe(65_536);
  });

  it('places an eventId in one shard of its day, the same in every process', () => {
    expect(dedupFingerprint('store:store-001-tills:till-1-receipt-42', 1_024)).toEqual({
      shard: 0x6d603527 % 1_024,
      field: String((0xe5d84491 & 0x1fffff) * 0x100000000 + 0x7f9d0935),
    });
    const shards = new Set<number>();
    for (let i = 0; i < 10_000; i++) shards.add(dedupFingerprint(`store:c:${i}`, 64).shard);
    expect(shards.size).toBe(64);
    // 53 bits as a decimal: an integer Redis keeps in 8 bytes.
    expect(Number(dedupFingerprint('x', 8).field)).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
  });
});
