#!/usr/bin/env node
// `node scripts/bench-kafkajs-decoding.mjs [records per batch] [batches] [kafkajs folder]`: the CPU
// kafkajs spends decoding fetched record batches of the canonical events as the ingest writes
// them (a sku key, an event-sized value, the two headers `inventory-client` and
// `inventory-event-id`), through its record batch decoder as a consumer's fetch does. Run it
// with node_modules/kafkajs as installed (patched by scripts/patch-dependencies.mjs), or with
// another copy of kafkajs named by its folder, to compare. A warm-up of as many batches comes
// first. Prints microseconds of CPU per record, CreateTime and LogAppendTime batches apart.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const dir = resolve(process.argv[4] ?? join(import.meta.dirname, '..', 'node_modules', 'kafkajs'));
const { RecordBatch } = require(join(dir, 'src/protocol/recordBatch/v0/index.js'));
const Record = require(join(dir, 'src/protocol/recordBatch/record/v0/index.js'));
const decodeBatch = require(join(dir, 'src/protocol/recordBatch/v0/decoder.js'));
const Decoder = require(join(dir, 'src/protocol/decoder.js'));

const perBatch = Number(process.argv[2] ?? 1_000);
const batches = Number(process.argv[3] ?? 3_000);
const now = Date.parse('2026-12-07T12:00:00Z');
const value = Buffer.alloc(120, 7);
const records = Array.from({ length: perBatch }, (_, i) =>
  Record({
    key: Buffer.from(`SKU-${String(i).padStart(6, '0')}`),
    value,
    headers: {
      'inventory-client': 'store-001-tills',
      'inventory-event-id': `store:store-001-tills:till-0042-${String(i).padStart(6, '0')}`,
    },
    offsetDelta: i,
    timestampDelta: i % 50,
  }),
);

/** The bytes of a fetched batch; LogAppendTime is the attributes' fourth bit (the events topics use it). */
async function fetched(logAppendTime) {
  const { buffer } = await RecordBatch({
    firstOffset: '123456789',
    firstTimestamp: now,
    maxTimestamp: now + 49,
    lastOffsetDelta: perBatch - 1,
    records,
  });
  // RecordBatch writes CreateTime: the attributes follow the first offset, length, leader
  // epoch, magic and CRC (8 + 4 + 4 + 1 + 4 bytes). kafkajs does not check the CRC it decodes.
  if (logAppendTime) buffer.writeInt16BE(buffer.readInt16BE(21) | 8, 21);
  return buffer;
}

const result = { kafkajs: dir, recordsPerBatch: perBatch };
for (const [name, logAppendTime] of [
  ['createTime', false],
  ['logAppendTime', true],
]) {
  const buffer = await fetched(logAppendTime);
  const decodeAll = async () => {
    for (let i = 0; i < batches; i++) {
      const { records: decoded } = await decodeBatch(new Decoder(buffer));
      if (decoded.length !== perBatch) throw new Error(`decoded ${decoded.length} records of ${perBatch}`);
    }
  };
  const {
    records: [first],
  } = await decodeBatch(new Decoder(buffer));
  const expected = String(logAppendTime ? now + 49 : now);
  if (first.timestamp !== expected || first.offset !== '123456789')
    throw new Error(
      `decoded offset ${first.offset} and timestamp ${first.timestamp}, not 123456789 and ${expected}`,
    );
  await decodeAll();
  const started = process.cpuUsage();
  await decodeAll();
  const used = process.cpuUsage(started);
  result[`${name}CpuUsPerRecord`] = Number(((used.user + used.system) / (perBatch * batches)).toFixed(3));
}
console.log(JSON.stringify(result));
