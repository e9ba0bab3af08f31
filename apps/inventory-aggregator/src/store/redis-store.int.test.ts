import { dayMs, defaultDedupPolicy } from '@inventory/domain';
import { parseStoredLocation } from '@inventory/read-model';
import { testRedis, uniqueName } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';

import { RedisStore, type StepWrite } from './redis-store.ts';

describe('RedisStore against the real Redis', () => {
  const redis = testRedis();
  afterAll(async () => {
    await redis.quit();
  });
  const now = Date.parse('2026-12-01T12:00:00Z');
  const shards = () => 64;

  it('commits a batch of 40 000 skus and 100 000 eventIds in one atomic step (no argument spreading)', async () => {
    const store = new RedisStore(
      redis,
      uniqueName('big'),
      { policy: defaultDedupPolicy, shards: 64 },
      86_400_000,
    );
    const hashes = new Map<string, Record<string, string>>();
    for (let i = 0; i < 40_000; i++) {
      hashes.set(`SKU-${i}`, {
        'l:S-1': JSON.stringify({
          onHand: i,
          reserved: 0,
          updatedAt: 1,
          lastCountAt: null,
          version: 1,
          inputOffset: i,
        }),
        total: JSON.stringify({
          sku: `SKU-${i}`,
          onHand: i,
          reserved: 0,
          available: i,
          asOf: 1,
          regions: [],
          version: 1,
        }),
      });
    }
    const applied = Array.from({ length: 100_000 }, (_, i) => ({
      eventId: `loadgen:e-${i}`,
      // Three days of events: three days of shards.
      occurredAt: now - (i % 3) * dayMs,
    }));
    const write: StepWrite = {
      partition: 0,
      expected: { events: 0, commands: undefined },
      next: { events: 100_000 },
      hashes,
      assortment: new Map([['S-1', [...hashes.keys()]]]),
      applied,
      reservations: [],
      outboxEntry: '',
      now,
    };
    expect(await store.apply(write, shards)).toBe(false); // no stored offset "0" yet: the compare-and-set refuses
    await redis.set(store.keys.offset(0), '0');
    expect(await store.apply(write, shards)).toBe(true);
    expect((await store.progress(0)).events).toBe(100_000);
    expect(
      parseStoredLocation((await redis.hget(store.keys.sku(0, 'SKU-39999'), 'l:S-1')) as string).onHand,
    ).toBe(39_999);
    expect(await redis.zcard(store.keys.assortment(0, 'S-1'))).toBe(40_000);
    const probe = [
      applied[0],
      applied[99_999],
      { eventId: 'loadgen:e-x', occurredAt: now },
    ] as StepWrite['applied'];
    expect(await store.seen(0, probe, shards)).toEqual(new Set(['loadgen:e-0', 'loadgen:e-99999']));
    // The same id on another day is another event: the memory is by the day of occurredAt.
    expect(await store.seen(0, [{ eventId: 'loadgen:e-0', occurredAt: now - 5 * dayMs }], shards)).toEqual(
      new Set(),
    );
    // Each day remembers its shard count and how many it holds; a shard expires when no event of
    // its day can come again.
    expect(await store.seenDays(0)).toEqual(
      new Map(
        [0, 1, 2].map((back) => [
          Math.floor((now - back * dayMs) / dayMs),
          { shards: 64, count: back === 0 ? 33_334 : 33_333 },
        ]),
      ),
    );
    const day = Math.floor(now / dayMs);
    const key = (await redis.keys(`${store.keys.prefix}:{p0}:seen:${day}:*`))[0] as string;
    const expiresAt = await redis.expiretime(key);
    expect(expiresAt * 1000).toBe(
      (day + 1) * dayMs + defaultDedupPolicy.horizonMs + defaultDedupPolicy.graceMs,
    );
    // A second step expecting the old offset is refused and changes nothing.
    expect(await store.apply({ ...write, next: { events: 5 } }, shards)).toBe(false);
    expect((await store.progress(0)).events).toBe(100_000);
  });

  it('keeps a fingerprint in about 12 bytes: the shards stay listpack-encoded', async () => {
    const store = new RedisStore(
      redis,
      uniqueName('mem'),
      { policy: defaultDedupPolicy, shards: 256 },
      86_400_000,
    );
    await redis.set(store.keys.offset(1), '0');
    const applied = Array.from({ length: 100_000 }, (_, i) => ({
      eventId: `store:store-001-tills:till-1-${i}`,
      occurredAt: now,
    }));
    expect(
      await store.apply(
        {
          partition: 1,
          expected: { events: 0, commands: undefined },
          next: { events: 1 },
          hashes: new Map(),
          assortment: new Map(),
          applied,
          reservations: [],
          outboxEntry: '',
          now,
        },
        () => 256,
      ),
    ).toBe(true);
    const keys = await redis.keys(`${store.keys.prefix}:{p1}:seen:*`);
    expect(keys.length).toBe(256);
    let bytes = 0;
    for (const key of keys) {
      expect(await redis.object('ENCODING', key)).toBe('listpack');
      bytes += (await redis.memory('USAGE', key)) as number;
    }
    expect(bytes / applied.length).toBeLessThan(16);
  });
});
