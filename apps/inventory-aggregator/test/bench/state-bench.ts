// Bytes the aggregator keeps in Redis, measured on a real Redis (MEMORY USAGE over every key
// written, and used_memory before and after): per deduplicated eventId, per location x sku
// state, per count-journal entry.
//   npm run bench:state -w @inventory/inventory-aggregator-test -- [eventIds] [states]
// The local stack must be up (`npm run stack -- up`).
import { defaultDedupPolicy, shardsForDay } from '@inventory/domain';
import { RedisStore, type SkuWrite, type StepWrite, skuWrite } from '@inventory/inventory-aggregator';
import { encodeJournal, type StoredLocation, skuAvailability } from '@inventory/read-model';
import { numberArgs, stackEndpoints, uniqueName, usedMemory } from '@inventory/testkit';
import { Redis } from 'ioredis';

// 400 000 eventIds: one of 12 partitions' day at 5 M events a day.
const [eventIds, states] = numberArgs([400_000, 200_000]);
// One server: INFO memory and MEMORY USAGE measure the one process that holds everything.
const redis = new Redis(stackEndpoints().REDIS_URL);
const now = Date.now();

async function keyBytes(pattern: string): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of found) pipeline.memory('USAGE', key);
    for (const [error, size] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      bytes += size as number;
    }
    keys += found.length;
  } while (cursor !== '0');
  return { keys, bytes };
}

function write(partition: number, expected: number, fields: Partial<StepWrite>): StepWrite {
  return {
    partition,
    expected: { events: expected, commands: undefined },
    next: { events: expected + 1 },
    skus: new Map(),
    assortment: new Map(),
    applied: [],
    reservations: [],
    outboxEntry: '',
    now,
    ...fields,
  };
}

// 1. Deduplicated eventIds: one partition, one day, with the shard count a day of this volume
// gets when the day before had the same (shardsForDay).
const shards = shardsForDay(eventIds, 64);
/** One partition under a fresh prefix, its offset set so that steps apply. */
async function storeOf(name: string): Promise<RedisStore> {
  const store = new RedisStore(
    redis,
    uniqueName(name),
    1,
    { policy: defaultDedupPolicy, shards },
    86_400_000,
  );
  await redis.set(store.keys.offset(0), '0');
  return store;
}
const dedupStore = await storeOf('bench-dedup');
const before = await usedMemory(redis);
for (let i = 0, step = 0; i < eventIds; i += 50_000, step++) {
  const applied = Array.from({ length: Math.min(50_000, eventIds - i) }, (_, j) => ({
    eventId: `store:store-0042-tills:till-${(i + j) % 7}-receipt-${i + j}`,
    occurredAt: now,
  }));
  const ok = await dedupStore.apply(write(0, step, { applied }), () => shards);
  if (!ok) throw new Error('dedup write refused');
}
const dedup = await keyBytes(`${dedupStore.keys.prefix}:${dedupStore.keys.tag(0)}:seen:*`);
const dedupUsed = (await usedMemory(redis)) - before;

// 2. Location x sku states, without and with a full count journal (64 entries).
async function writeStates(journalEntries: number) {
  const store = await storeOf('bench-state');
  const skus = Math.ceil(states / 10);
  const usedBefore = await usedMemory(redis);
  let step = 0;
  for (let s = 0; s < skus; s += 2_000, step++) {
    const writes = new Map<string, SkuWrite>();
    for (let k = s; k < Math.min(skus, s + 2_000); k++) {
      const sku = `SKU-${String(k).padStart(6, '0')}`;
      const locations = new Map<string, StoredLocation>();
      for (let l = 0; l < 10; l++) {
        const state: StoredLocation = {
          onHand: 40 + ((k + l) % 17),
          reserved: (k + l) % 3,
          updatedAt: now - l * 1000,
          lastCountAt: now - 86_400_000,
          version: 1 + (k % 500),
          inputOffset: 1_000_000 + k,
        };
        if (journalEntries > 0)
          state.journal = Array.from({ length: journalEntries }, (_, e) => [
            now - (journalEntries - e) * 60_000,
            -1 - (e % 3),
          ]);
        locations.set(`STORE-${String(l).padStart(4, '0')}`, state);
      }
      // The journals as a delta after another writes them: appended entries.
      const journals: [string, { drop: number; append: string }][] = [...locations].flatMap(([id, state]) =>
        state.journal
          ? [
              [id, { drop: 0, append: encodeJournal(state.journal) }] as [
                string,
                { drop: number; append: string },
              ],
            ]
          : [],
      );
      writes.set(
        sku,
        skuWrite(
          locations,
          skuAvailability(sku, locations, () => 'north'),
          journals,
        ),
      );
    }
    if (!(await store.apply(write(0, step, { skus: writes }), () => shards)))
      throw new Error('state write refused');
  }
  const measured = await keyBytes(`${store.keys.prefix}:${store.keys.tag(0)}:sku:*`);
  const journal = await keyBytes(`${store.keys.prefix}:${store.keys.tag(0)}:jrn:*`);
  return {
    ...measured,
    journalBytes: journal.bytes,
    used: (await usedMemory(redis)) - usedBefore,
    states: skus * 10,
  };
}
const plain = await writeStates(0);
const journaled = await writeStates(64);

const round = (n: number) => Math.round(n * 10) / 10;
console.log(
  JSON.stringify(
    {
      eventIds: {
        count: eventIds,
        shards: dedup.keys,
        bytesPerEventId: round(dedup.bytes / eventIds),
        usedMemoryPerEventId: round(dedupUsed / eventIds),
      },
      states: {
        count: plain.states,
        bytesPerState: round(plain.bytes / plain.states),
        usedMemoryPerState: round(plain.used / plain.states),
        note: 'a sku hash holds its 10 locations and its total (the total is counted in the per-state figure)',
      },
      journal: {
        entriesPerState: 64,
        journalBytesPerState: round(journaled.journalBytes / journaled.states),
        bytesPerEntry: round(journaled.journalBytes / journaled.states / 64),
        note: 'journals are a hash per sku beside its state hash, one field per location',
      },
      perDay: {
        '5M events/day': `${round((5_000_000 * dedup.bytes) / eventIds / 1e6)} MB a day of eventIds; ${round((5_000_000 * dedup.bytes * 9) / eventIds / 1e6)} MB for the horizon (7 days + 1 grace + the current day)`,
        '100M events/day': `${round((100_000_000 * dedup.bytes) / eventIds / 1e9)} GB a day of eventIds; ${round((100_000_000 * dedup.bytes * 9) / eventIds / 1e9)} GB for the horizon`,
      },
    },
    null,
    2,
  ),
);
await redis.quit();
