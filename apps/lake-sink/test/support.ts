import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCodec } from '@inventory/codec';
import { createLogger } from '@inventory/core';
import { type InventoryEvent, inventoryEventTypes, platformEvent } from '@inventory/domain';
import { createProducer, singleBrokerDurability, topicConfig, topicNames, topicSpec } from '@inventory/kafka';
import {
  type LakeStore,
  mirrorLake,
  openLakeStore,
  parseLakeLocation,
  queryLake,
} from '@inventory/lake-sink';
import { buckets } from '@inventory/object-store';
import {
  type AppProcess,
  createConfiguredTopic,
  createTestTopic,
  s3Env,
  stackEndpoints,
  stackKafkaEnv,
  startAppProcess,
  testBucket,
  testKafka,
  uniqueName,
  withAdmin,
} from '@inventory/testkit';

export type LakeTarget = 's3' | 'file';

/**
 * Topics and the lake of one isolated sink deployment (topics configured as the catalog's):
 * a prefix of its own in the stack's lake bucket, or a folder of its own.
 */
export interface LakeWorld {
  target: LakeTarget;
  events: string;
  raw: string;
  dlq: string;
  /** The lake as the test reads it (the sink's own store, opened here). */
  store: LakeStore;
  /** Where the sink encodes files before it uploads them (S3), or the lake's folder (file). */
  staging: string;
  /** The key prefix in the lake bucket (S3). */
  prefix: string;
  /** The test's copy of an S3 lake, brought up to date before each query. */
  copy: string;
  env: NodeJS.ProcessEnv;
}

export async function createLakeWorld(
  env: Record<string, string> = {},
  partitions = { events: 6, raw: 3 },
  target: LakeTarget = 's3',
): Promise<LakeWorld> {
  const world = {
    events: await createConfiguredTopic(
      'lake-events',
      partitions.events,
      topicConfig(topicSpec(topicNames.events), singleBrokerDurability),
    ),
    raw: await createConfiguredTopic(
      'lake-raw',
      partitions.raw,
      topicConfig(topicSpec(topicNames.mqRaw), singleBrokerDurability),
    ),
    dlq: await createTestTopic('lake-dlq', 1),
    staging: mkdtempSync(join(tmpdir(), 'lake-')),
    prefix: `${uniqueName('lake')}/`,
    copy: mkdtempSync(join(tmpdir(), 'lake-copy-')),
  };
  const location =
    target === 's3'
      ? {
          LAKE_TARGET: 's3',
          ...s3Env('LAKE_'),
          LAKE_S3_PREFIX: world.prefix,
          LAKE_STAGING_DIR: world.staging,
        }
      : { LAKE_TARGET: 'file', LAKE_ROOT: world.staging };
  const store = openLakeStore(parseLakeLocation({ ...location, ...env }), createLogger('lake-test', 'warn'));
  return {
    ...world,
    target,
    store,
    env: {
      PATH: process.env.PATH,
      ...stackKafkaEnv('LAKE'),
      LAKE_EVENT_TOPICS: world.events,
      LAKE_RAW_TOPICS: world.raw,
      LAKE_DLQ_TOPIC: world.dlq,
      ...location,
      LAKE_GROUP_ID: uniqueName('lake-group'),
      LAKE_ROLL_RECORDS: '2000',
      LAKE_ROLL_MS: '1000',
      LAKE_SESSION_TIMEOUT_MS: '6000',
      LAKE_WINDOW_GRACE_MS: '200',
      LAKE_LOG_LEVEL: 'warn',
      ...env,
    },
  };
}

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** The real sink process (src/main.ts). */
export function startSink(
  world: LakeWorld,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): AppProcess {
  return startAppProcess(appDir, { ...world.env, ...env }, 'LAKE_HTTP_PORT', nodeArgs);
}

const types = ['SALE', 'SALE', ...inventoryEventTypes];

/** The i-th event of a spread of `total` over `spanMs` (a day) from `t0`: all types, many skus and stores. */
export function dayEvent(i: number, total: number, t0: number, spanMs = 86_400_000): InventoryEvent {
  const at = t0 + Math.floor((i / total) * spanMs);
  return platformEvent('LOADGEN', `lake-${total}-${i}`, {
    type: types[i % types.length] as InventoryEvent['type'],
    sku: `SKU-${(i * 7919) % 50_000}`,
    locationId: `STORE-${String(i % 300).padStart(3, '0')}`,
    quantity: 1 + (i % 12),
    occurredAt: at,
    recordedAt: at + 800,
    sourceRef: i % 2 === 0 ? null : `ref ${i}`,
  });
}

let eventCodec: ReturnType<typeof createCodec> | undefined;

/** Platform events into a topic, Avro through the registry, keyed by sku as the ingest writes them. */
export async function produceEvents(topic: string, events: InventoryEvent[]): Promise<void> {
  // One codec for every call: its schema ids are looked up in the registry once.
  eventCodec ??= createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
  const values = await eventCodec.encodeAll(`${topic}-value`, 'InventoryEvent', events);
  await produce(
    topic,
    events.map((e, i) => ({ key: e.sku, value: values[i] as Buffer })),
  );
}

/** Writes records to a topic in requests of 2000, acknowledged by all replicas. */
export async function produce(topic: string, messages: { key: string; value: Buffer }[]): Promise<void> {
  const producer = createProducer(testKafka());
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 2000)
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 2000) });
  } finally {
    await producer.disconnect();
  }
}

/** The Parquet files of a world's lake (keys relative to its root). */
export const parquetFiles = async (world: LakeWorld): Promise<string[]> =>
  (await world.store.list('')).map((o) => o.key).filter((key) => key.endsWith('.parquet'));

/** Whether a sink of the world is writing a file now: encoding it, or uploading it. */
export async function writing(world: LakeWorld): Promise<boolean> {
  const files = existsSync(world.staging)
    ? (readdirSync(world.staging, { recursive: true }) as string[])
    : [];
  // In the folder, a file being written has a temporary name; in staging, any Parquet file is one.
  if (world.target === 'file') return files.some((f) => f.endsWith('.tmp'));
  return files.some((f) => f.includes('.parquet')) || (await unfinishedUploads(world)).length > 0;
}

/** Multipart uploads of the world's lake neither completed nor aborted. */
export const unfinishedUploads = (world: LakeWorld) =>
  testBucket(buckets.lake).unfinishedUploads(world.prefix);

/**
 * SQL over the world's lake with DuckDB: over its folder, or over a copy of its objects
 * downloaded from S3 (views lake_events and lake_raw for the world's topics).
 */
export async function queryWorld(world: LakeWorld, sql: string): Promise<Record<string, unknown>[]> {
  const aliases = { lake_events: world.events, lake_raw: world.raw };
  if (world.target === 'file') return queryLake(world.staging, sql, aliases);
  await mirrorLake(world.store, world.copy);
  return queryLake(world.copy, sql, aliases);
}

/**
 * Whether the world's sink group has committed every record of its topics: everything
 * produced is in the lake (commits follow the files). Cheaper to poll than the lake itself.
 */
export async function committedToEnd(world: LakeWorld): Promise<boolean> {
  return withAdmin(async (admin) => {
    for (const topic of [world.events, world.raw]) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({
        groupId: world.env.LAKE_GROUP_ID as string,
        topics: [topic],
      });
      for (const end of ends) {
        const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        if (Number(end.high) > 0 && Number(at) < Number(end.high)) return false;
      }
    }
    return true;
  });
}

/**
 * What the world's lake holds of its events topic, by DuckDB over the downloaded objects:
 * rows, distinct eventIds and distinct positions, the quantity sum, and a digest of every
 * (eventId, quantity) pair in eventId order; and the same computed from `events`, the input.
 */
export async function lakeAgainstInput(world: LakeWorld, events: InventoryEvent[]) {
  const [lake] = await queryWorld(
    world,
    `SELECT count(*) AS rows, count(DISTINCT event_id) AS ids, count(DISTINCT (kafka_partition, kafka_offset)) AS positions,
            sum(quantity) AS quantity, md5(string_agg(event_id || ':' || quantity, ',' ORDER BY event_id)) AS digest
     FROM lake_events`,
  );
  // In eventId order, as DuckDB's ORDER BY event_id (byte order of ASCII ids).
  const pairs = [...events]
    .sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0))
    .map((e) => `${e.eventId}:${e.quantity}`);
  const input = {
    rows: String(events.length),
    ids: String(events.length),
    positions: String(events.length),
    quantity: String(events.reduce((sum, e) => sum + e.quantity, 0)),
    digest: createHash('md5').update(pairs.join(',')).digest('hex'),
  };
  return { lake, input };
}
