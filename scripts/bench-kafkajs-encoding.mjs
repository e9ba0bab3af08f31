#!/usr/bin/env node
// `node scripts/bench-kafkajs-encoding.mjs [records per request] [requests] [kafkajs folder]`: the CPU kafkajs
// spends encoding produce requests of the aggregator's compacted records (a `location|sku`
// key, a StockLevel-sized value, the three progress headers), through its Produce v3 request
// as a producer sends it. Run it with node_modules/kafkajs as installed (patched by
// scripts/patch-dependencies.mjs), or with another copy of kafkajs named by its folder, to
// compare. Prints microseconds of CPU per record and the bytes of one request.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const dir = resolve(process.argv[4] ?? join(import.meta.dirname, '..', 'node_modules', 'kafkajs'));
const produce = require(join(dir, 'src/protocol/requests/produce/v3/request.js'));
const Long = require(join(dir, 'src/utils/long.js'));

const perRequest = Number(process.argv[2] ?? 1_000);
const requests = Number(process.argv[3] ?? 2_000);
const value = Buffer.alloc(58, 7);
const headers = {
  'inventory-next-event-offset': '1234567',
  'inventory-clock': '1796518368158',
  'inventory-next-command-offset': '4321',
};
const messages = Array.from({ length: perRequest }, (_, i) => ({
  key: `STORE-${String(i % 500).padStart(4, '0')}|SKU-${String(i).padStart(6, '0')}`,
  value,
  headers,
}));
const request = () =>
  produce({
    acks: -1,
    timeout: 30_000,
    transactionalId: 'inventory-aggregator-0',
    producerId: Long.fromInt(1000),
    producerEpoch: 0,
    topicData: [{ topic: 'inventory.stock.v1', partitions: [{ partition: 0, firstSequence: 0, messages }] }],
  });

let bytes = 0;
for (let i = 0; i < Math.min(200, requests); i++) bytes = (await request().encode()).buffer.length;
const started = process.cpuUsage();
for (let i = 0; i < requests; i++) await request().encode();
const used = process.cpuUsage(started);
const records = perRequest * requests;
console.log(
  JSON.stringify({
    kafkajs: dir,
    records,
    bytesPerRequest: bytes,
    cpuUsPerRecord: Number(((used.user + used.system) / records).toFixed(3)),
  }),
);
