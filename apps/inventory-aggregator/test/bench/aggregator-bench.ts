// Replays N events (default 5 000 000) from Kafka through the real aggregator process and,
// in the same run, measures kafkajs' raw consume rate of the same topic with no processing:
//   npm run bench -w @inventory/inventory-aggregator-test -- [events] [skus] [locations]
// The default, 5 000 skus at 4 locations, is dense (hot keys, much coalescing); 50 000 skus
// at 500 locations is sparse (most location x sku touched once or twice).
// BENCH_RATE=<events/s>: live traffic instead, the aggregator started first and the events
// offered at that rate: its CPU per event, steps and freshness when it keeps up.
// The local stack must be up (`npm run stack -- up`).
import { createCodec, type InventoryEvent, type InventoryEventType } from '@inventory/codec';
import { delay, waitFor } from '@inventory/core';
import { createProducer } from '@inventory/kafka';
import {
  type AppProcess,
  cpuSecondsOf,
  meanIn,
  metricIn,
  numberArgs,
  peakResidentMbOf,
  settingsArg,
  stackEndpoints,
  stackPartPid,
  testKafka,
  testRedis,
  uniqueName,
} from '@inventory/testkit';
import {
  atProductionSizes,
  createWorld,
  eventMix,
  forgetBenchWorld,
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
const t0 = Date.now() - 86_400_000;

// BENCH_AGG_ENV="AGG_MAX_STEP_EVENTS=10000 AGG_PUBLISH_LINGER_MS=50": settings to compare.
const compared = settingsArg(process.env.BENCH_AGG_ENV);
const production = atProductionSizes(world);
const startBenchAggregator = () =>
  startAggregator({ ...production, env: { ...production.env, ...compared } }, [
    ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
    // BENCH_NODE_ARGS="--max-semi-space-size=64": V8 settings to compare (space-separated).
    ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
  ]);

/**
 * `wait` unless the aggregator exits first: then the bench removes its world and fails with the
 * end of the aggregator's output (a heap limit reached, for one), not waiting for progress
 * that cannot come.
 */
function whileRunning<T>(aggregator: AppProcess, wait: Promise<T>): Promise<T> {
  let waited = false;
  const exited = aggregator.exited.then(async (code): Promise<never> => {
    // The bench stops the aggregator itself once the wait is over: nothing to say then.
    if (waited) return new Promise<never>(() => {});
    await forget();
    const how = aggregator.child.signalCode ? `signal ${aggregator.child.signalCode}` : `code ${code}`;
    throw new Error(
      `the aggregator exited (${how}) before the bench ended:\n${aggregator.output().slice(-3_000)}`,
    );
  });
  return Promise.race([
    wait.finally(() => {
      waited = true;
    }),
    exited,
  ]);
}

/** The run's world removed at its end (forgetBenchWorld). */
async function forget(): Promise<void> {
  const redis = testRedis();
  try {
    await forgetBenchWorld(world, [redis]);
  } finally {
    await redis.quit();
  }
}

/** Events [from, to) of the stream as the input topic's records. */
async function messagesOf(from: number, to: number) {
  const messages = [];
  for (let j = from; j < to; j++) {
    const event = eventAt(j, t0);
    messages.push({
      key: event.sku,
      value: await codec.encode(`${world.input}-value`, 'InventoryEvent', event),
    });
  }
  return messages;
}

/** Sum over the partitions of the next offset Redis holds. */
async function progressOf(reader: ReturnType<typeof readerOf>): Promise<number> {
  let sum = 0;
  for (let p = 0; p < partitions; p++) sum += (await reader.nextOffset(p)) ?? 0;
  return sum;
}

/** Microseconds of CPU per event, with one decimal. */
const usPerEvent = (cpuSeconds: number) => Number(((cpuSeconds * 1e6) / total).toFixed(1));

/** Every event's offset is in the topic: the sum over its partitions of the end offsets. */
async function endOffsetSum(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(world.input);
  await admin.disconnect();
  return ends.reduce((sum, e) => sum + Number(e.high), 0);
}

/**
 * Live traffic: the aggregator runs first and the events arrive at `rate` per second, as a
 * platform under load sees them; steps are what arrived since the last one. Prints the
 * aggregator's CPU per event (from its first event to the last one folded), its steps and
 * publications, the mean freshness it measured, and how long after the last event it had
 * folded everything.
 */
async function live(rate: number): Promise<never> {
  const aggregator = startBenchAggregator();
  await aggregator.ready();
  const redis = testRedis();
  const reader = readerOf(redis, world);
  const producer = createProducer(kafka);
  await producer.connect();
  console.log(`live: ${total} events at ${rate}/s into ${world.input} ...`);
  const pid = aggregator.child.pid as number;
  const cpuFirst = cpuSecondsOf(pid);
  const started = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate));
    // Pacing the offered rate (not synchronisation): the next 20 ms worth of events.
    if (due <= sent) await delay(20);
    else {
      await producer.send({ topic: world.input, acks: -1, messages: await messagesOf(sent, due) });
      sent = due;
    }
  }
  const lastSent = Date.now();
  const offeredSeconds = (lastSent - started) / 1000;
  await producer.disconnect();
  const endSum = await endOffsetSum();
  await whileRunning(
    aggregator,
    waitFor(async () => (await progressOf(reader)) >= endSum, {
      description: 'the aggregator to fold every event',
      timeoutMs: 3_600_000,
      intervalMs: 20,
    }),
  );
  const drainMs = Date.now() - lastSent;
  const cpu = cpuSecondsOf(pid) - cpuFirst;
  const metrics = await (await fetch(`http://127.0.0.1:${aggregator.port}/metrics`)).text();
  aggregator.child.kill('SIGTERM');
  await aggregator.exited;
  await redis.quit();
  const steps = metricIn(metrics, 'aggregator_step_events_count');
  const summary = {
    events: total,
    skus,
    locations: locations.length,
    offeredPerSecond: rate,
    sentPerSecond: Math.round(total / offeredSeconds),
    aggregatorCpuUsPerEvent: usPerEvent(cpu),
    aggregatorCpuShare: Number((cpu / ((Date.now() - started) / 1000)).toFixed(2)),
    steps,
    meanStepEvents: Math.round(meanIn(metrics, 'aggregator_step_events')),
    meanStepMs: Math.round(meanIn(metrics, 'aggregator_batch_seconds') * 1000),
    publications: metricIn(metrics, 'aggregator_publish_seconds_count'),
    meanPublishMs: Math.round(meanIn(metrics, 'aggregator_publish_seconds') * 1000),
    meanFreshnessMs: Math.round(meanIn(metrics, 'aggregator_freshness_seconds') * 1000),
    drainMs,
  };
  console.log(
    `aggregator: ${summary.aggregatorCpuUsPerEvent} us of its CPU per event, ${steps} steps of ${summary.meanStepEvents} events, mean freshness ${summary.meanFreshnessMs} ms, folded everything ${drainMs} ms after the last event`,
  );
  console.log(JSON.stringify(summary));
  await forget();
  process.exit(0);
}

// The aggregator runs on this process's Node (a relative PATH entry does not reach a workspace's script).
console.log(
  `Node ${process.version}, aggregator ${process.env.INVENTORY_APP_BUILD === 'dist' ? 'bundle' : 'sources'}`,
);

// BENCH_RATE=16667: live traffic at that rate instead of a backlog replayed.
const liveRate = Number(process.env.BENCH_RATE ?? 0);
if (liveRate > 0) await live(liveRate);

console.log(
  `producing ${total} events to ${world.input} (${partitions} partitions, ${skus} skus, ${locations.length} locations) ...`,
);
const producer = createProducer(kafka);
await producer.connect();
const produceStart = Date.now();
const chunk = 20_000;
for (let i = 0; i < total; i += chunk * 4) {
  await Promise.all(
    [0, 1, 2, 3].map(async (k) => {
      const from = i + k * chunk;
      const to = Math.min(total, from + chunk);
      if (from >= to) return;
      await producer.send({ topic: world.input, acks: -1, messages: await messagesOf(from, to) });
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
const progress = () => progressOf(reader);
const endSum = await endOffsetSum();
const aggregator = startBenchAggregator();
await whileRunning(
  aggregator,
  waitFor(async () => (await progress()) > 0, {
    description: 'the aggregator to apply a first batch',
    timeoutMs: 120_000,
    intervalMs: 20,
  }),
);
const aggFirst = Date.now();
// The aggregator's CPU over the same span (its start-up before the first step left out).
const cpuFirst = cpuSecondsOf(aggregator.child.pid as number);
// And the stack's Redis', which runs the steps' scripts: work moved into them shows there.
const redisPid = stackPartPid('redis');
const redisCpuFirst = cpuSecondsOf(redisPid);
let last = 0;
await whileRunning(
  aggregator,
  waitFor(
    async () => {
      const now = await progress();
      if (now - last >= 500_000) {
        process.stdout.write(`\r  aggregator: ${now} / ${endSum}`);
        last = now;
      }
      return now >= endSum;
    },
    { description: 'the aggregator to apply every event', timeoutMs: 3_600_000, intervalMs: 200 },
  ),
);
const aggSeconds = (Date.now() - aggFirst) / 1000;
const aggCpuSeconds = cpuSecondsOf(aggregator.child.pid as number) - cpuFirst;
const redisCpuSeconds = cpuSecondsOf(redisPid) - redisCpuFirst;
const aggRate = Math.round(total / aggSeconds);
const metrics = await (await fetch(`http://127.0.0.1:${aggregator.port}/metrics`)).text();
const peakResidentMb = peakResidentMbOf(aggregator.child.pid as number);
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

const pick = (name: string) => metricIn(metrics, name);
/** Touched location x sku states by where the steps found them (the partitions' caches or Redis). */
const lookups = (from: string) => metricIn(metrics, 'aggregator_state_lookups_total', { from });
const cpuUsPerEvent = usPerEvent(aggCpuSeconds);
console.log(
  `\naggregator: ${aggSeconds.toFixed(1)} s, ${aggRate} events/s folded into Redis, ${cpuUsPerEvent} us of its CPU per event, Redis ${usPerEvent(redisCpuSeconds)} us per event`,
);
console.log(
  `aggregator: at most ${peakResidentMb} MB resident; states touched ${lookups('cache')} from its cache, ${lookups('redis')} read from Redis`,
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
    applied: pick('aggregator_events_applied_total'),
    duplicates: pick('aggregator_events_duplicate_total'),
    late: pick('aggregator_late_deltas_total'),
    batches: pick('aggregator_batch_seconds_count'),
    meanBatchMs: Number((meanIn(metrics, 'aggregator_batch_seconds') * 1000).toFixed(1)),
    meanStepEvents: Math.round(meanIn(metrics, 'aggregator_step_events')),
    publications: pick('aggregator_publish_seconds_count'),
    meanPublishMs: Number((meanIn(metrics, 'aggregator_publish_seconds') * 1000).toFixed(1)),
    redisMemory: memory,
    peakResidentMb,
    statesFromCache: lookups('cache'),
    statesReadFromRedis: lookups('redis'),
  }),
);
await forget();
process.exit(0);
