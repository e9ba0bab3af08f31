import { fileURLToPath } from 'node:url';
import {
  createCodec,
  type InventoryEvent,
  type InventoryEventType,
  type Location,
  type StockLevel,
} from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { inventoryEventTypes, referenceOnHand } from '@inventory/domain';
import {
  createProducer,
  readToEnd,
  singleBrokerDurability,
  topicConfig,
  topicNames,
  topicSpec,
} from '@inventory/kafka';
import {
  ReadModelReader,
  type RedisAppUser,
  type RedisClient,
  redisAppUsers,
  scanKeys,
} from '@inventory/read-model';
import {
  type AppProcess,
  appReady,
  createConfiguredTopic,
  createTestTopic,
  forgetTestUsers,
  stackEndpoints,
  stackKafkaEnv,
  startAppProcess,
  testKafka,
  testRedis,
  testRedisUrlAs,
  uniqueName,
} from '@inventory/testkit';
import { afterAll, beforeAll, expect } from 'vitest';

/** Topics, Redis prefix and settings of one isolated aggregator deployment for a test. */
export interface World {
  /** Of the input and every topic keyed like it. */
  partitions: number;
  input: string;
  stock: string;
  availability: string;
  reservations: string;
  locations: string;
  dlq: string;
  commands: string;
  outcomes: string;
  prefix: string;
  groupId: string;
  /**
   * The tests' Redis as each app's own ACL user for this world's prefix: the aggregator, the
   * query API and the reconciliation of a test run with exactly their production permissions.
   */
  redisAs: Record<RedisAppUser, string>;
  env: NodeJS.ProcessEnv;
}

export const regions: Record<string, string> = {
  'S-1': 'north',
  'S-2': 'north',
  'S-3': 'west',
  'W-1': 'west',
};

/** `count` locations over eight regions, for workloads wider than the tests' four. */
export function manyLocations(count: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`L-${String(i).padStart(4, '0')}`, `region-${i % 8}`]),
  );
}

/**
 * A deployment of its own: topics configured as the catalog's, a Redis prefix, a group, and
 * master data for `locations` (the tests' four by default).
 */
export async function createWorld(
  partitions = 6,
  locationRegions: Record<string, string> = regions,
): Promise<World> {
  const compact = (what: string) =>
    createConfiguredTopic(what, partitions, topicConfig(topicSpec(topicNames.stock), singleBrokerDurability));
  const world = {
    input: await createConfiguredTopic(
      'agg-events',
      partitions,
      topicConfig(topicSpec(topicNames.events), singleBrokerDurability),
    ),
    stock: await compact('agg-stock'),
    availability: await compact('agg-availability'),
    reservations: await createConfiguredTopic(
      'agg-reservations',
      partitions,
      topicConfig(topicSpec(topicNames.reservations), singleBrokerDurability),
    ),
    locations: await createTestTopic('agg-locations', 1),
    dlq: await createTestTopic('agg-dlq', 1),
    commands: await createTestTopic('agg-commands', partitions),
    outcomes: await createTestTopic('agg-outcomes', partitions),
    prefix: uniqueName('agg'),
    groupId: uniqueName('agg-group'),
  };
  const endpoints = stackEndpoints();
  const codec = createCodec({ registryUrl: endpoints.SCHEMA_REGISTRY_URL });
  const producer = createProducer(testKafka());
  await producer.connect();
  const locations: Location[] = Object.entries(locationRegions).map(([locationId, region]) => ({
    locationId,
    kind: locationId.startsWith('W') ? 'WAREHOUSE' : 'STORE',
    name: locationId,
    region,
    dataCentre: `dc-${region}`,
    active: true,
  }));
  await producer.send({
    topic: world.locations,
    messages: await Promise.all(
      locations.map(async (l) => ({
        key: l.locationId,
        value: await codec.encode(`${world.locations}-value`, 'Location', l),
      })),
    ),
  });
  await producer.disconnect();
  const redisAs = Object.fromEntries(
    await Promise.all(
      redisAppUsers.map(async (app) => [app, await testRedisUrlAs(app, world.prefix)] as const),
    ),
  ) as Record<RedisAppUser, string>;
  return {
    ...world,
    partitions,
    redisAs,
    env: {
      PATH: process.env.PATH,
      ...stackKafkaEnv('AGG'),
      AGG_REDIS_URL: redisAs['inventory-aggregator'],
      AGG_REDIS_PREFIX: world.prefix,
      AGG_GROUP_ID: world.groupId,
      AGG_INPUT_TOPIC: world.input,
      AGG_STOCK_TOPIC: world.stock,
      AGG_AVAILABILITY_TOPIC: world.availability,
      AGG_RESERVATIONS_TOPIC: world.reservations,
      AGG_LOCATIONS_TOPIC: world.locations,
      AGG_DLQ_TOPIC: world.dlq,
      AGG_COMMANDS_TOPIC: world.commands,
      AGG_OUTCOMES_TOPIC: world.outcomes,
      // Tests move the reservation clock themselves, with TICK commands at chosen times.
      AGG_RESERVATION_TICK_MS: '0',
      AGG_SESSION_TIMEOUT_MS: '6000',
      // Small fetches and steps make many small steps, so failures land in the middle of the stream.
      AGG_MAX_BYTES_PER_PARTITION: '8192',
      AGG_MAX_STEP_EVENTS: '100',
      AGG_LOG_LEVEL: process.env.AGG_TEST_LOG_LEVEL ?? 'warn',
    },
  };
}

/**
 * The world with the aggregator's production fetch and step sizes instead of the tests' small
 * ones (which make failures land mid-stream): what benchmarks measure.
 */
export function atProductionSizes(world: World): World {
  const { AGG_MAX_BYTES_PER_PARTITION: _fetch, AGG_MAX_STEP_EVENTS: _step, ...env } = world.env;
  return { ...world, env };
}

const appDir = fileURLToPath(new URL('..', import.meta.url));

export interface RunningAggregator extends AppProcess {
  /** Waits until /readyz answers 200 (group joined, Redis up). */
  ready: () => Promise<unknown>;
}

/** The real aggregator process (src/main.ts), as a deployment runs it. */
export function startAggregator(world: World, nodeArgs: string[] = []): RunningAggregator {
  const app = startAppProcess(appDir, world.env, 'AGG_HTTP_PORT', nodeArgs);
  return { ...app, ready: () => appReady(app) };
}

/**
 * The aggregators a test file starts, killed (-9) when its tests end, whatever happened: an
 * instance left by a failed test would go on beside the next ones. `env` adds settings to the
 * world's.
 */
export function fileAggregators() {
  const running: RunningAggregator[] = [];
  afterAll(() => {
    for (const a of running) a.child.kill('SIGKILL');
  });
  return {
    start(world: World, env: NodeJS.ProcessEnv = {}): RunningAggregator {
      const aggregator = startAggregator({ ...world, env: { ...world.env, ...env } });
      running.push(aggregator);
      return aggregator;
    },
    /** Those still running (for a wait to report their output when it fails). */
    alive(): RunningAggregator[] {
      return running.filter((a) => a.child.exitCode === null && a.child.signalCode === null);
    },
  };
}

/** Event types in the proportions of a store day: sales dominate. */
export const eventMix: InventoryEventType[] = ['SALE', 'SALE', 'SALE', ...inventoryEventTypes];

/**
 * A reproducible stream: movements, counts, redeliveries (same eventId again) and late deltas.
 * `countsInOrder`: no COUNT is older than an event before it, as a stream must be for a
 * rebuild from the stock topic (which has no count journals) to stay exact.
 */
export function generateEvents(
  count: number,
  seed: number,
  options: { countsInOrder?: boolean } = {},
): InventoryEvent[] {
  let x = seed;
  const random = () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const t0 = Date.now() - 3_600_000;
  const events: InventoryEvent[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 10 && random() < 0.05) {
      events.push(events[Math.floor(random() * events.length)] as InventoryEvent);
      continue;
    }
    const type = pick(eventMix);
    const quantity = 1 + Math.floor(random() * 20);
    events.push({
      eventId: `loadgen:${seed}-${i}`,
      type,
      sku: `SKU-${Math.floor(random() * 40)}`,
      locationId: pick(Object.keys(regions)),
      quantity: type === 'ADJUSTMENT' && random() < 0.5 ? -quantity : quantity,
      // Mostly in order, sometimes from a few minutes back: some become late deltas after a
      // COUNT, and a COUNT from back then is folded after deltas that happened after it.
      occurredAt:
        t0 +
        i * 100 -
        backdated(type, random() < 0.1 ? Math.floor(random() * 300_000) : 0, options.countsInOrder),
      recordedAt: t0 + i * 100,
      source: 'LOADGEN',
      sourceRef: null,
      clientId: null,
      clientEventId: null,
    });
  }
  return events;
}

function backdated(type: InventoryEventType, by: number, countsInOrder = false): number {
  return countsInOrder && type === 'COUNT' ? 0 : by;
}

/** Expected onHand per sku and location: the plain reference fold. */
export const reference = referenceOnHand;

export async function produceEvents(world: World, events: InventoryEvent[], batchSize = 500): Promise<void> {
  const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
  const producer = createProducer(testKafka());
  await producer.connect();
  for (let i = 0; i < events.length; i += batchSize) {
    const messages = await Promise.all(
      events.slice(i, i + batchSize).map(async (e) => ({
        key: e.sku,
        value: await codec.encode(`${world.input}-value`, 'InventoryEvent', e),
      })),
    );
    await producer.send({ topic: world.input, acks: -1, messages });
  }
  await producer.disconnect();
}

/** The world's read model as every reader sees it. */
export function readerOf(redis: RedisClient, world: World): ReadModelReader {
  return new ReadModelReader(redis, world.prefix, world.partitions);
}

/** onHand (and reserved, where any) per sku and location as the read model holds it, and every sku's network total. */
export async function readModel(redis: RedisClient, world: World) {
  const onHand = new Map<string, number>();
  /** Where any is reserved. */
  const reserved = new Map<string, number>();
  const totals = new Map<string, { onHand: number; regions: { region: string; onHand: number }[] }>();
  for await (const { sku, stored } of readerOf(redis, world).scanSkus()) {
    if (stored.total) totals.set(sku, stored.total);
    for (const [locationId, state] of stored.locations) {
      onHand.set(`${sku}|${locationId}`, state.onHand);
      if (state.reserved !== 0) reserved.set(`${sku}|${locationId}`, state.reserved);
    }
  }
  return { onHand, reserved, totals };
}

/** skus per location as the assortment index holds them, merged over the partitions. */
export function readAssortments(redis: RedisClient, world: World): Promise<Map<string, string[]>> {
  return readerOf(redis, world).assortments();
}

/** The assortment each location should have: every sku the read model holds there. */
export function expectedAssortments(onHand: Map<string, number>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const key of onHand.keys()) {
    const [sku, locationId] = key.split('|') as [string, string];
    index.set(locationId, [...(index.get(locationId) ?? []), sku].sort());
  }
  return index;
}

/** Waits until Redis' next offset of every partition reaches the end of the input topic, and every outbox is published. */
export async function waitDrained(redis: RedisClient, world: World, timeoutMs = 120_000): Promise<void> {
  const admin = testKafka().admin();
  const reader = readerOf(redis, world);
  await admin.connect();
  try {
    // Read inside the probe: right after a broker restart the partitions' leaders come back
    // one by one, and the answer is retried until they do.
    let ends: Awaited<ReturnType<typeof admin.fetchTopicOffsets>> | undefined;
    await waitFor(
      async () => {
        ends ??= await admin.fetchTopicOffsets(world.input);
        for (const end of ends) {
          if (end.high === '0') continue;
          if (((await reader.nextOffset(end.partition)) ?? -1) < Number(end.high)) return false;
          // Published too: nothing left in the partition's outbox.
          if ((await reader.outboxLength(end.partition)) > 0) return false;
        }
        return true;
      },
      { description: 'the aggregator to apply and publish every input offset', timeoutMs, intervalMs: 200 },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Every record of the world's stock topic as it stands now (committed transactions only). */
export async function publishedStock(
  world: World,
): Promise<{ level: StockLevel; partition: number; offset: number }[]> {
  const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
  const records: { level: StockLevel; partition: number; offset: number }[] = [];
  await readToEnd(
    testKafka(),
    world.stock,
    async (message, partition) => {
      if (!message.value) return;
      records.push({
        level: await codec.decode(message.value, 'StockLevel'),
        partition,
        offset: Number(message.offset),
      });
    },
    { groupPrefix: uniqueName('read-stock') },
  );
  return records;
}

/** The record with the highest version per location x sku: what a rebuild takes. */
export function newestStock(records: { level: StockLevel }[]): Map<string, StockLevel> {
  const newest = new Map<string, StockLevel>();
  for (const { level } of records) {
    const key = `${level.sku}|${level.locationId}`;
    if ((newest.get(key)?.version ?? -1) < level.version) newest.set(key, level);
  }
  return newest;
}

/**
 * The compacted stock topic against the expected onHand per `sku|locationId`: for every key
 * the last record (what compaction keeps) has the highest version, and its onHand is the
 * expected one; no key is missing, none is extra.
 */
export async function expectCompactedExact(world: World, expected: Map<string, number>): Promise<void> {
  const records = await publishedStock(world);
  const last = new Map<string, StockLevel>();
  for (const { level } of records.sort((a, b) => a.partition - b.partition || a.offset - b.offset))
    last.set(`${level.sku}|${level.locationId}`, level);
  const newest = newestStock(records);
  const regressed = [...last].filter(([key, level]) => level.version !== newest.get(key)?.version);
  if (regressed.length > 0)
    throw new Error(
      `last record older than the newest for ${regressed.length} keys, e.g. ${regressed[0]?.[0]}`,
    );
  const published = new Map([...last].map(([key, level]) => [key, level.onHand]));
  const differences = [...new Set([...published.keys(), ...expected.keys()])].filter(
    (key) => published.get(key) !== expected.get(key),
  );
  if (differences.length > 0) {
    const sample = differences
      .slice(0, 5)
      .map((k) => `${k}: published ${published.get(k)}, expected ${expected.get(k)}`);
    throw new Error(`the stock topic differs for ${differences.length} keys: ${sample.join('; ')}`);
  }
}

/** The lag gauge's series of an instance: partition to lag. */
export async function lagByPartition(aggregator: RunningAggregator): Promise<Map<number, number>> {
  const text = await (await fetch(`http://127.0.0.1:${aggregator.port}/metrics`)).text();
  return new Map(
    [...text.matchAll(/^aggregator_partition_lag\{partition="(\d+)"\} (\S+)$/gm)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]),
  );
}

/**
 * Waits until `instances` together report the lag of every partition of `world` once each
 * (a partition that left an instance took its series with it), `expected` in all.
 */
export async function lagReaches(
  instances: readonly RunningAggregator[],
  world: World,
  expected: number,
): Promise<void> {
  let seen = '';
  await waitFor(
    async () => {
      const series = await Promise.all(instances.map(lagByPartition));
      seen = series.map((lags) => JSON.stringify(Object.fromEntries(lags))).join(', ');
      const partitions = series.flatMap((lags) => [...lags.keys()]).sort((x, y) => x - y);
      const total = series.flatMap((lags) => [...lags.values()]).reduce((a, b) => a + b, 0);
      return partitions.join() === [...Array(world.partitions).keys()].join() && total === expected;
    },
    {
      description: () => `each partition's lag reported once, ${expected} in all (${seen})`,
      timeoutMs: 60_000,
    },
  );
}

/** How far folding has come: the sum over partitions of the next offset Redis holds. */
export async function progress(redis: RedisClient, world: World): Promise<number> {
  const reader = readerOf(redis, world);
  let total = 0;
  for (let p = 0; p < world.partitions; p++) total += (await reader.nextOffset(p)) ?? 0;
  return total;
}

/**
 * Waits until folding has come `count` records far. A wait that fails says how far it came
 * and ends with the last output of the instances named in `watching`, and its deadline is well
 * inside a test's, so a stuck instance is reported as such and not as a test timeout.
 */
export function reachProgress(
  redis: RedisClient,
  world: World,
  count: number,
  what: string,
  watching: readonly RunningAggregator[] = [],
): Promise<unknown> {
  let reached = 0;
  return waitFor(
    async () => {
      reached = await progress(redis, world);
      return reached >= count;
    },
    {
      description: () =>
        [
          `${what} (${reached} of ${count} folded)`,
          ...watching.map((a, i) => `instance ${i + 1}, its last output:\n${a.output().slice(-2_000)}`),
        ].join('\n'),
      timeoutMs: 60_000,
      intervalMs: 50,
    },
  );
}

/**
 * Once every input offset is applied and published: the read model and the compacted stock
 * topic hold exactly the reference fold of `events` (the ground truth computed from the input).
 */
export async function expectExact(redis: RedisClient, world: World, events: InventoryEvent[]): Promise<void> {
  await waitDrained(redis, world);
  const expected = reference(events);
  expect((await readModel(redis, world)).onHand).toEqual(expected);
  await expectCompactedExact(world, expected);
}

export interface WorldFixture {
  readonly redis: RedisClient;
  readonly world: World;
  readonly aggregator: RunningAggregator;
}

/**
 * A world of its own for the tests of a file, with its aggregator running: created (and
 * `events` folded) before the tests, the aggregator killed and Redis closed after them.
 */
export function useWorld(options: { partitions?: number; events?: (world: World) => InventoryEvent[] } = {}) {
  const redis = testRedis();
  const fixture = { redis } as { redis: RedisClient; world: World; aggregator: RunningAggregator };
  beforeAll(async () => {
    fixture.world = await createWorld(options.partitions ?? 6);
    const events = options.events?.(fixture.world) ?? [];
    if (events.length > 0) await produceEvents(fixture.world, events);
    fixture.aggregator = startAggregator(fixture.world);
    await (events.length > 0 ? waitDrained(redis, fixture.world) : fixture.aggregator.ready());
  });
  afterAll(async () => {
    fixture.aggregator?.child.kill('SIGKILL');
    await redis.quit();
  });
  return fixture as WorldFixture;
}

/**
 * A benchmark's end: its world forgotten (forgetWorld) after its numbers are printed, unless
 * BENCH_KEEP=1 keeps it to look at. A failure to remove it is said, not thrown: the numbers
 * stand.
 */
export async function forgetBenchWorld(world: World, redises: readonly RedisClient[]): Promise<void> {
  if (process.env.BENCH_KEEP === '1') {
    console.log(`kept: Redis prefix ${world.prefix}, topics of ${world.input}`);
    return;
  }
  try {
    const forgotten = await forgetWorld(world, redises);
    console.log(
      `removed ${forgotten.keys} keys of ${world.prefix}, ${forgotten.redisUsers} Redis users, ${forgotten.groups} consumer groups and the topics (BENCH_KEEP=1 keeps them)`,
    );
    for (const left of forgotten.groupsLeft) console.warn(`consumer group not removed: ${left}`);
  } catch (error) {
    console.warn(
      `the run's keys, users, groups and topics (${world.prefix}) were not all removed: ${String(error)}`,
    );
  }
}

/** What forgetWorld removed. */
export interface Forgotten {
  keys: number;
  redisUsers: number;
  groups: number;
  /** Groups the broker would not delete yet (a member's session not expired), by their error. */
  groupsLeft: string[];
}

/**
 * Removes a world's Redis keys (from each of `redises`: a benchmark may fill a single Redis
 * and a cluster), its Redis ACL users, its consumer groups and its topics: a benchmark's
 * millions of keys would otherwise stay in the dev stack's Redis, where a later test's
 * FLUSHALL then blocks Redis past a command's deadline, and its users and groups would
 * pile up run after run.
 */
export async function forgetWorld(world: World, redises: readonly RedisClient[]): Promise<Forgotten> {
  let keys = 0;
  for (const redis of redises) {
    let batch: Promise<number>[] = [];
    // One UNLINK per key: a cluster's keys of one batch span hash slots.
    for await (const key of scanKeys(redis, `${world.prefix}:*`)) {
      batch.push(redis.unlink(key));
      if (batch.length >= 1_000) {
        for (const count of await Promise.all(batch)) keys += count;
        batch = [];
      }
    }
    for (const count of await Promise.all(batch)) keys += count;
  }
  const redisUsers = await forgetTestUsers(world.prefix);
  const admin = testKafka().admin();
  await admin.connect();
  try {
    // Groups first: once the topics are gone, this admin's metadata refresh would ask for them.
    const ours = (await admin.listGroups()).groups
      .map((group) => group.groupId)
      .filter((groupId) => groupId.startsWith(world.groupId));
    const groupsLeft: string[] = [];
    let groups = 0;
    for (const groupId of ours) {
      try {
        await admin.deleteGroups([groupId]);
        groups++;
      } catch (error) {
        groupsLeft.push(`${groupId}: ${(error as Error).message}`);
      }
    }
    const { input, stock, availability, reservations, locations, dlq, commands, outcomes } = world;
    await admin.deleteTopics({
      topics: [input, stock, availability, reservations, locations, dlq, commands, outcomes],
    });
    return { keys, redisUsers, groups, groupsLeft };
  } finally {
    await admin.disconnect();
  }
}
