// Rows/s the lake sink writes and the size on disk per million events:
//   npm run bench -w @inventory/lake-sink-test -- [events] [roll records]
// Defaults: 1 000 000 canonical events (Avro) over a day, flushed every 100 000 records per
// partition. The local stack must be up (`npm run stack -- up`).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createCodec } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { stackEndpoints } from '@inventory/testkit';
import { createLakeWorld, dayEvent, parquetFiles, produce, startSink } from '../support.ts';

const total = Number(process.argv[2] ?? 1_000_000);
const roll = Number(process.argv[3] ?? 100_000);
const endpoints = stackEndpoints();
const codec = createCodec({ registryUrl: endpoints.SCHEMA_REGISTRY_URL });
const world = await createLakeWorld({}, { events: 12, raw: 1 });
const { root } = world;
const t0 = Date.parse('2026-11-21T00:00:00Z');

console.log(`producing ${total} events to ${world.events} ...`);
const chunk = 20_000;
for (let from = 0; from < total; from += chunk) {
  const events = Array.from({ length: Math.min(chunk, total - from) }, (_, k) =>
    dayEvent(from + k, total, t0),
  );
  const values = await codec.encodeAll(`${world.events}-value`, 'InventoryEvent', events);
  await produce(
    world.events,
    events.map((e, k) => ({ key: e.sku, value: values[k] as Buffer })),
  );
}

const sink = startSink(world, { LAKE_ROLL_RECORDS: String(roll), LAKE_ROLL_MS: '2000' });
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
const files = parquetFiles(root);
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
