import { uniqueName } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { redisClient } from '../test-support.ts';
import { RedisStore } from './redis-store.ts';

describe('RedisStore against the real Redis', () => {
  const redis = redisClient();
  afterAll(async () => {
    await redis.quit();
  });

  it('commits a batch of 40 000 skus and 100 000 eventIds in one atomic step (no argument spreading)', async () => {
    const store = new RedisStore(redis, uniqueName('big'), { horizonMs: 3_600_000, bucketMs: 900_000 });
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
    const eventIds = Array.from({ length: 100_000 }, (_, i) => `e-${i}`);
    const committed = await store.commit(
      {
        partition: 0,
        expectedOffset: 0,
        expectedCommandOffset: undefined,
        nextOffset: 100_000,
        hashes,
        eventIds,
      },
      '',
    );
    expect(committed).toBe(false); // no stored offset "0" yet: the compare-and-set refuses
    await redis.set(store.keys.offset(0), '0');
    expect(
      await store.commit(
        {
          partition: 0,
          expectedOffset: 0,
          expectedCommandOffset: undefined,
          nextOffset: 100_000,
          hashes,
          eventIds,
        },
        '',
      ),
    ).toBe(true);
    expect(await store.offset(0)).toBe(100_000);
    expect(JSON.parse((await redis.hget(store.keys.sku(0, 'SKU-39999'), 'l:S-1')) as string).onHand).toBe(
      39_999,
    );
    expect(await store.seen(0, ['e-0', 'e-99999', 'e-x'])).toEqual(new Set(['e-0', 'e-99999']));
  });
});
