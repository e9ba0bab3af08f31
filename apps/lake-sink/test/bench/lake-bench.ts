// Rows/s the lake sink writes and the size on disk per million events:
//   npm run bench -w @inventory/lake-sink -- [events] [roll records]
// Defaults: 1 000 000 canonical events (Avro) over a day, flushed every 100 000 records per
// partition. The local stack must be up (`npm run stack -- up`).
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCodec, type InventoryEvent } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { createTestTopic, stackEndpoints, startAppProcess, testKafka, uniqueName } from '@inventory/testkit';
import kafkajs from 'kafkajs';

const total = Number(process.argv[2] ?? 1_000_000);
const roll = Number(process.argv[3] ?? 100_000);
const endpoints = stackEndpoints();
const codec = createCodec({ registryUrl: endpoints.SCHEMA_REGISTRY_URL });
const topic = await createTestTopic('lake-bench', 12);
const root = mkdtempSync(join(tmpdir(), 'lake-bench-'));
const types = [
  'SALE',
  'SALE',
  'SALE',
  'RETURN',
  'RECEIPT',
  'TRANSFER_OUT',
  'TRANSFER_IN',
  'ADJUSTMENT',
  'COUNT',
] as const;
const t0 = Date.parse('2026-11-21T00:00:00Z');

console.log(`producing ${total} events to ${topic} ...`);
const producer = testKafka().producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
await producer.connect();
for (let from = 0; from < total; from += 20_000) {
  const events: InventoryEvent[] = [];
  for (let i = from; i < Math.min(total, from + 20_000); i++) {
    events.push({
      eventId: `loadgen:bench-${i}`,
      type: types[i % types.length] as InventoryEvent['type'],
      sku: `SKU-${(i * 7919) % 50_000}`,
      locationId: `STORE-${String(i % 300).padStart(3, '0')}`,
      quantity: 1 + (i % 12),
      occurredAt: t0 + Math.floor((i / total) * 86_400_000),
      recordedAt: t0 + Math.floor((i / total) * 86_400_000) + 800,
      source: 'LOADGEN',
      sourceRef: null,
      clientId: null,
      clientEventId: null,
    });
  }
  const values = await codec.encodeAll(`${topic}-value`, 'InventoryEvent', events);
  await producer.send({
    topic,
    messages: events.map((e, i) => ({ key: e.sku, value: values[i] as Buffer })),
  });
}
await producer.disconnect();

const sink = startAppProcess(
  fileURLToPath(new URL('..', import.meta.url)),
  {
    PATH: process.env.PATH,
    LAKE_KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
    ...(endpoints.SCHEMA_REGISTRY_URL ? { LAKE_SCHEMA_REGISTRY_URL: endpoints.SCHEMA_REGISTRY_URL } : {}),
    LAKE_EVENT_TOPICS: topic,
    LAKE_RAW_TOPICS: await createTestTopic('lake-bench-raw', 1),
    LAKE_ROOT: root,
    LAKE_GROUP_ID: uniqueName('lake-bench'),
    LAKE_ROLL_RECORDS: String(roll),
    LAKE_ROLL_MS: '2000',
    LAKE_LOG_LEVEL: 'warn',
  },
  'LAKE_HTTP_PORT',
);
await waitFor(async () => (await sink.metric('lake_rows_written_total').catch(() => 0)) > 0, {
  description: 'a first file',
  timeoutMs: 120_000,
  intervalMs: 50,
});
const started = Date.now();
await waitFor(async () => (await sink.metric('lake_rows_written_total')) >= total, {
  description: 'every event in the lake',
  timeoutMs: 3_600_000,
  intervalMs: 200,
});
const seconds = (Date.now() - started) / 1000;
const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.parquet'));
const bytes = files.reduce((sum, f) => sum + statSync(join(root, f)).size, 0);
console.log(
  JSON.stringify({
    events: total,
    rollRecords: roll,
    seconds: Number(seconds.toFixed(1)),
    rowsPerSecond: Math.round(total / seconds),
    files: files.length,
    megabytes: Number((bytes / 1e6).toFixed(1)),
    megabytesPerMillionEvents: Number((bytes / 1e6 / (total / 1e6)).toFixed(1)),
    bytesPerEvent: Number((bytes / total).toFixed(1)),
  }),
);
sink.child.kill('SIGTERM');
await sink.exited;
process.exit(0);
