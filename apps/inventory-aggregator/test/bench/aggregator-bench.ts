// Replays N events (default 5 000 000) from Kafka through the real aggregator process and,
// in the same run, measures kafkajs' raw consume rate of the same topic with no processing:
//   npm run bench -w @inventory/inventory-aggregator-test -- [events] [skus] [locations]
// The default, 5 000 skus at 4 locations, is dense (hot keys, much coalescing); 50 000 skus
// at 500 locations is sparse (most location x sku touched once or twice).
// The local stack must be up (`npm run stack -- up`).
import { createCodec, type InventoryEvent, type InventoryEventType } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { createProducer } from '@inventory/kafka';
import {
  cpuSecondsOf,
  numberArgs,
  stackEndpoints,
  testKafka,
  testRedis,
  uniqueName,
} from '@inventory/testkit';
import {
  atProductionSizes,
  createWorld,
  eventMix,
  manyLocations,
  readerOf,
  regions,
  startAggregator,
} from '../support.ts';

const [total, skus, locationCount] = numberArgs([5_000_000, 5_000, 4]);
const partitions = 12;
const locationRegions = locationCount === 4 ? regions : manyLocations(locationCount);
const locations = Object.keys(locationRegions);

/** Event i of a reproducible stream; every 20th event is a redelivery of an earlier one. */
function eventAt(i: number, t0: number): InventoryEvent {
  const source = i % 20 === 19 ? i - 7 : i;
  const h = Math.imul(source ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  const type = eventMix[h % eventMix.length] as InventoryEventType;
  return {
    eventId: `loadgen:bench-${source}`,
    type,
    sku: `SKU-${(h >>> 8) % skus}`,
    locationId: locations[(Math.imul(h ^ 0x27d4eb2d, 0x165667b1) >>> 0) % locations.length] as string,
    quantity: type === 'COUNT' ? 20 + (h % 50) : 1 + (h % 5),
    occurredAt: t0 + source,
    recordedAt: t0 + source,
    source: 'LOADGEN',
    sourceRef: null,
    clientId: null,
    clientEventId: null,
  };
}

const world = await createWorld(partitions, locationRegions);
const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
const kafka = testKafka();

console.log(
  `producing ${total} events to ${world.input} (${partitions} partitions, ${skus} skus, ${locations.length} locations) ...`,
);
const producer = createProducer(kafka);
await producer.connect();
const t0 = Date.now() - 86_400_000;
const produceStart = Date.now();
const chunk = 20_000;
for (let i = 0; i < total; i += chunk * 4) {
  await Promise.all(
    [0, 1, 2, 3].map(async (k) => {
      const from = i + k * chunk;
      const to = Math.min(total, from + chunk);
      if (from >= to) return;
      const messages = [];
      for (let j = from; j < to; j++) {
        const event = eventAt(j, t0);
        messages.push({
          key: event.sku,
          value: await codec.encode(`${world.input}-value`, 'InventoryEvent', event),
        });
      }
      await producer.send({ topic: world.input, acks: -1, messages });
    }),
  );
  if ((i / (chunk * 4)) % 10 === 0) process.stdout.write(`\r  ${Math.min(total, i + chunk * 4)} / ${total}`);
}
await producer.disconnect();
const produceSeconds = (Date.now() - produceStart) / 1000;
console.log(
  `\n  produced in ${produceSeconds.toFixed(1)} s (${Math.round(total / produceSeconds)} events/s)`,
);

// 1. Raw kafkajs consume of the same topic: same fetch size and concurrency, no processing.
const raw = kafka.consumer({ groupId: uniqueName('bench-raw'), maxBytesPerPartition: 1024 * 1024 });
await raw.connect();
await raw.subscribe({ topic: world.input, fromBeginning: true });
let consumed = 0;
let rawFirst = 0;
await raw.run({
  partitionsConsumedConcurrently: 4,
  eachBatch: async ({ batch }) => {
    if (rawFirst === 0) rawFirst = Date.now();
    consumed += batch.messages.length;
  },
});
await waitFor(() => consumed >= total, {
  description: 'raw consume of every event',
  timeoutMs: 1_800_000,
  intervalMs: 100,
});
const rawSeconds = (Date.now() - rawFirst) / 1000;
await raw.disconnect();
const rawRate = Math.round(total / rawSeconds);
console.log(`raw kafkajs consume: ${rawSeconds.toFixed(1)} s, ${rawRate} events/s`);

// 2. The aggregator process: from its first applied batch until Redis holds the end offsets.
const redis = testRedis();
const reader = readerOf(redis, world);
const admin = kafka.admin();
await admin.connect();
const ends = await admin.fetchTopicOffsets(world.input);
await admin.disconnect();
const progress = async () => {
  let sum = 0;
  for (let p = 0; p < partitions; p++) sum += (await reader.nextOffset(p)) ?? 0;
  return sum;
};
const endSum = ends.reduce((s, e) => s + Number(e.high), 0);
// BENCH_AGG_ENV="AGG_MAX_STEP_EVENTS=10000 AGG_PUBLISH_LINGER_MS=50": settings to compare.
const compared = Object.fromEntries(
  (process.env.BENCH_AGG_ENV?.split(' ').filter(Boolean) ?? []).map((pair) => pair.split('=', 2)),
);
const production = atProductionSizes(world);
const aggregator = startAggregator({ ...production, env: { ...production.env, ...compared } }, [
  ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
  // BENCH_NODE_ARGS="--max-semi-space-size=64": V8 settings to compare (space-separated).
  ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
]);
await waitFor(async () => (await progress()) > 0, {
  description: 'the aggregator to apply a first batch',
  timeoutMs: 120_000,
  intervalMs: 20,
});
const aggFirst = Date.now();
// The aggregator's CPU over the same span (its start-up before the first step left out).
const cpuFirst = cpuSecondsOf(aggregator.child.pid as number);
let last = 0;
await waitFor(
  async () => {
    const now = await progress();
    if (now - last >= 500_000) {
      process.stdout.write(`\r  aggregator: ${now} / ${endSum}`);
      last = now;
    }
    return now >= endSum;
  },
  { description: 'the aggregator to apply every event', timeoutMs: 3_600_000, intervalMs: 200 },
);
const aggSeconds = (Date.now() - aggFirst) / 1000;
const aggCpuSeconds = cpuSecondsOf(aggregator.child.pid as number) - cpuFirst;
const aggRate = Math.round(total / aggSeconds);
const metrics = await (await fetch(`http://127.0.0.1:${aggregator.port}/metrics`)).text();
aggregator.child.kill('SIGTERM');
await aggregator.exited;
if (process.env.BENCH_TIMING)
  console.log(
    aggregator
      .output()
      .split('\n')
      .filter((l) => l.startsWith('TIMING'))
      .join('\n'),
  );
const memory = (await redis.info('memory')).match(/used_memory_human:(\S+)/)?.[1];
await redis.quit();

const pick = (name: string) => metrics.match(new RegExp(`^${name} (\\S+)`, 'm'))?.[1];
const cpuUsPerEvent = Number(((aggCpuSeconds * 1e6) / total).toFixed(1));
console.log(
  `\naggregator: ${aggSeconds.toFixed(1)} s, ${aggRate} events/s folded into Redis, ${cpuUsPerEvent} us of its CPU per event`,
);
console.log(
  JSON.stringify({
    events: total,
    skus,
    locations: locations.length,
    partitions,
    rawConsumeEventsPerSecond: rawRate,
    aggregatorEventsPerSecond: aggRate,
    ratio: Number((aggRate / rawRate).toFixed(2)),
    aggregatorCpuUsPerEvent: cpuUsPerEvent,
    applied: Number(pick('aggregator_events_applied_total')),
    duplicates: Number(pick('aggregator_events_duplicate_total')),
    late: Number(pick('aggregator_late_deltas_total')),
    batches: Number(pick('aggregator_batch_seconds_count')),
    meanBatchMs: Number(
      (
        (Number(pick('aggregator_batch_seconds_sum')) / Number(pick('aggregator_batch_seconds_count'))) *
        1000
      ).toFixed(1),
    ),
    meanStepEvents: Math.round(
      Number(pick('aggregator_step_events_sum')) / Number(pick('aggregator_step_events_count')),
    ),
    publications: Number(pick('aggregator_publish_seconds_count')),
    meanPublishMs: Number(
      (
        (Number(pick('aggregator_publish_seconds_sum')) / Number(pick('aggregator_publish_seconds_count'))) *
        1000
      ).toFixed(1),
    ),
    redisMemory: memory,
  }),
);
process.exit(0);
