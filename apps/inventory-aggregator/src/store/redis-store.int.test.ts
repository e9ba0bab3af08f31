import { dayMs, defaultDedupPolicy } from '@inventory/domain';
import { encodeJournal, type JournalEdit } from '@inventory/read-model';
import { redisOf } from '@inventory/service';
import { keysMatching, testRedis, testRedisUrlAs, uniqueName } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';

import { RedisStore, type SkuWrite, type StepWrite, skuWrite } from './redis-store.ts';

describe('RedisStore against the real Redis', () => {
  // Checks as the administrator; the store itself as the aggregator's own ACL user.
  const redis = testRedis();
  const clients = [redis];
  afterAll(async () => {
    for (const client of clients) await client.quit();
  });
  const asAggregator = async (prefix: string) => {
    const client = redisOf(await testRedisUrlAs('inventory-aggregator', prefix));
    clients.push(client);
    return client;
  };
  const now = Date.parse('2026-12-01T12:00:00Z');
  /** A location's state with `i` units, read at input offset `i`. */
  const stateAt = (i: number) => ({
    onHand: i,
    reserved: 0,
    updatedAt: 1,
    lastCountAt: null,
    version: 1,
    inputOffset: i,
  });
  const shards = () => 64;
  /** A store of 12 partitions under a fresh prefix, as the aggregator's user, remembering eventIds for a day. */
  const storeOf = async (name: string, dedupShards: number) => {
    const prefix = uniqueName(name);
    const policy = { policy: defaultDedupPolicy, shards: dedupShards };
    return new RedisStore(await asAggregator(prefix), prefix, 12, policy, dayMs);
  };

  it('commits a batch of 40 000 skus and 100 000 eventIds in one atomic step (no argument spreading)', async () => {
    const store = await storeOf('big', 64);
    const skus = new Map<string, SkuWrite>();
    for (let i = 0; i < 40_000; i++) {
      const state = stateAt(i);
      const total = {
        sku: `SKU-${i}`,
        onHand: i,
        reserved: 0,
        available: i,
        asOf: 1,
        regions: [],
        version: 1,
      };
      skus.set(
        `SKU-${i}`,
        skuWrite([['S-1', state]], total, [['S-1', { drop: 0, append: encodeJournal([[1, i]]) }]]),
      );
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
      skus,
      assortment: new Map([['S-1', [...skus.keys()]]]),
      applied,
      reservations: [],
      outboxEntry: '',
      now,
    };
    expect(await store.apply(write, shards)).toBe(false); // no stored offset "0" yet: the compare-and-set refuses
    await redis.set(store.keys.offset(0), '0');
    expect(await store.apply(write, shards)).toBe(true);
    expect((await store.progress(0)).events).toBe(100_000);
    const stored = async (sku: string) =>
      (await store.readTouched(0, new Map([[sku, new Set(['S-1'])]]))).get(sku)?.locations.get('S-1');
    expect(await stored('SKU-39999')).toMatchObject({ onHand: 39_999, journal: [[1, 39_999]] });
    // Every sku at once, with a location none holds: 40 calls of the read script, each sku exact.
    const everySku = await store.readTouched(
      0,
      new Map([...skus.keys()].map((sku) => [sku, new Set(['S-1', 'S-2'])])),
    );
    expect(everySku.size).toBe(40_000);
    for (let i = 0; i < 40_000; i += 997) {
      const sku = `SKU-${i}`;
      expect(everySku.get(sku)).toEqual({
        total: { sku, onHand: i, reserved: 0, available: i, asOf: 1, regions: [], version: 1 },
        locations: new Map([['S-1', { ...stateAt(i), journal: [[1, i]] }]]),
      });
    }
    expect((await store.readTouched(0, new Map([['SKU-NONE', new Set(['S-1'])]]))).get('SKU-NONE')).toEqual({
      total: undefined,
      locations: new Map(),
    });
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
    const key = (
      await keysMatching(redis, `${store.keys.prefix}:${store.keys.tag(0)}:seen:${day}:*`)
    )[0] as string;
    const expiresAt = await redis.expiretime(key);
    expect(expiresAt * 1000).toBe(
      (day + 1) * dayMs + defaultDedupPolicy.horizonMs + defaultDedupPolicy.graceMs,
    );
    // A second step expecting the old offset is refused and changes nothing.
    expect(await store.apply({ ...write, next: { events: 5 } }, shards)).toBe(false);
    expect((await store.progress(0)).events).toBe(100_000);
    // Journal edits change only the ends: the first entry dropped, one appended; then replaced whole.
    const edit = (sku: string, journal: [string, { drop: number; append: string }]) => ({
      ...write,
      expected: { events: (write.next.events as number) + 0, commands: undefined },
      skus: new Map([[sku, skuWrite([], { ...skuTotal(sku) }, [journal])]]),
      assortment: new Map(),
      applied: [],
    });
    const skuTotal = (sku: string) => ({
      sku,
      onHand: 0,
      reserved: 0,
      available: 0,
      asOf: 1,
      regions: [],
      version: 2,
    });
    expect(
      await store.apply(
        {
          ...edit('SKU-7', [
            'S-1',
            { drop: encodeJournal([[1, 7]]).length, append: encodeJournal([[2, 1]]) },
          ]),
          next: { events: 100_001 },
        },
        shards,
      ),
    ).toBe(true);
    expect((await stored('SKU-7'))?.journal).toEqual([[2, 1]]);
    expect(
      await store.apply(
        {
          ...edit('SKU-7', [
            'S-1',
            {
              drop: -1,
              append: encodeJournal([
                [5, 2],
                [6, 3],
              ]),
            },
          ]),
          expected: { events: 100_001, commands: undefined },
          next: { events: 100_002 },
        },
        shards,
      ),
    ).toBe(true);
    expect((await stored('SKU-7'))?.journal).toEqual([
      [5, 2],
      [6, 3],
    ]);
  });

  it('reads a sku touched at 9 000 locations in one step: more fields than one Lua call can take', async () => {
    const store = await storeOf('wide', 64);
    await redis.set(store.keys.offset(2), '0');
    const sku = 'SKU-WIDE';
    const locations = Array.from({ length: 9_000 }, (_, i) => `S-${i}`);
    const total = { sku, onHand: 1, reserved: 0, available: 1, asOf: 1, regions: [], version: 1 };
    const write: StepWrite = {
      partition: 2,
      expected: { events: 0, commands: undefined },
      next: { events: 1 },
      // Every other location holds state, each with a journal of its own.
      skus: new Map([
        [
          sku,
          skuWrite(
            locations.flatMap((l, i): [string, ReturnType<typeof stateAt>][] =>
              i % 2 === 0 ? [[l, stateAt(i)]] : [],
            ),
            total,
            locations.flatMap((l, i): [string, JournalEdit][] =>
              i % 2 === 0 ? [[l, { drop: 0, append: encodeJournal([[1, i]]) }]] : [],
            ),
          ),
        ],
      ]),
      assortment: new Map(),
      applied: [],
      reservations: [],
      outboxEntry: '',
      now,
    };
    expect(await store.apply(write, shards)).toBe(true);
    const read = (await store.readTouched(2, new Map([[sku, new Set([...locations, 'S-NONE'])]]))).get(sku);
    expect(read?.total).toEqual(total);
    expect(read?.locations.size).toBe(4_500);
    for (const i of [0, 2, 3_998, 4_000, 4_002, 8_998]) {
      expect(read?.locations.get(`S-${i}`)).toEqual({ ...stateAt(i), journal: [[1, i]] });
    }
    expect(read?.locations.has('S-1')).toBe(false);
    expect(read?.locations.has('S-NONE')).toBe(false);
  });

  it('keeps a fingerprint in about 12 bytes: the shards stay listpack-encoded', async () => {
    const store = await storeOf('mem', 256);
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
          skus: new Map(),
          assortment: new Map(),
          applied,
          reservations: [],
          outboxEntry: '',
          now,
        },
        () => 256,
      ),
    ).toBe(true);
    const keys = await keysMatching(redis, `${store.keys.prefix}:${store.keys.tag(1)}:seen:*`);
    expect(keys.length).toBe(256);
    let bytes = 0;
    for (const key of keys) {
      // OBJECT and MEMORY name no key a cluster client routes by: sent in a pipeline behind
      // one that does, they reach the node holding the key.
      const replies =
        (await redis.pipeline().exists(key).object('ENCODING', key).memory('USAGE', key).exec()) ?? [];
      for (const [error] of replies) if (error) throw error;
      const [encoding, usage] = [replies[1]?.[1], replies[2]?.[1]];
      expect(encoding).toBe('listpack');
      bytes += Number(usage);
    }
    expect(bytes / applied.length).toBeLessThan(16);
  });
});
