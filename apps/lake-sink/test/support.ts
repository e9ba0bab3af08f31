import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type InventoryEvent, inventoryEventTypes, platformEvent } from '@inventory/domain';
import { createProducer, topicConfig, topicNames, topicSpec } from '@inventory/kafka';
import {
  type AppProcess,
  createConfiguredTopic,
  createTestTopic,
  stackEndpoints,
  startAppProcess,
  testKafka,
  uniqueName,
} from '@inventory/testkit';

/** Topics and the lake folder of one isolated sink deployment (topics configured as the catalog's). */
export interface LakeWorld {
  events: string;
  raw: string;
  dlq: string;
  root: string;
  env: NodeJS.ProcessEnv;
}

export async function createLakeWorld(
  env: Record<string, string> = {},
  partitions = { events: 6, raw: 3 },
): Promise<LakeWorld> {
  const world = {
    events: await createConfiguredTopic(
      'lake-events',
      partitions.events,
      topicConfig(topicSpec(topicNames.events)),
    ),
    raw: await createConfiguredTopic('lake-raw', partitions.raw, topicConfig(topicSpec(topicNames.mqRaw))),
    dlq: await createTestTopic('lake-dlq', 1),
    root: mkdtempSync(join(tmpdir(), 'lake-')),
  };
  const endpoints = stackEndpoints();
  return {
    ...world,
    env: {
      PATH: process.env.PATH,
      LAKE_KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
      ...(endpoints.SCHEMA_REGISTRY_URL ? { LAKE_SCHEMA_REGISTRY_URL: endpoints.SCHEMA_REGISTRY_URL } : {}),
      LAKE_EVENT_TOPICS: world.events,
      LAKE_RAW_TOPICS: world.raw,
      LAKE_DLQ_TOPIC: world.dlq,
      LAKE_ROOT: world.root,
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
export function startSink(world: LakeWorld, env: Record<string, string> = {}): AppProcess {
  return startAppProcess(appDir, { ...world.env, ...env }, 'LAKE_HTTP_PORT');
}

const types = ['SALE', 'SALE', ...inventoryEventTypes];

/** The i-th event of a spread of `total` over one day from `t0`: all types, many skus and stores. */
export function dayEvent(i: number, total: number, t0: number): InventoryEvent {
  const at = t0 + Math.floor((i / total) * 86_400_000);
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

/** The Parquet files of a lake, relative to its root. */
export const parquetFiles = (root: string): string[] =>
  (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.parquet'));
