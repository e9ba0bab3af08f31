// npm run bench:mirror -w @inventory/loadgen -- [records] [rate/s] [keys]
// Replication delay between the data centres of `npm run stack -- up --dcs 3`: records
// produced in dc1 at a steady rate, read from their copies in dc2 and dc3; the delay of each
// record is the time it is read there minus the time it was produced (MirrorMaker keeps the
// source's timestamp). Prints one JSON line, with MirrorMaker's CPU per record.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@inventory/core';
import { createKafka, type KafkaConnection, kafkaClientOptionsFor } from '@inventory/kafka';
import { numberArgs, quantile, stackHome, uniqueTopic } from '@inventory/testkit';
import type { Kafka } from 'kafkajs';
import { cpuCost, readCpu } from './cpu.ts';

const [records, rate, keys] = numberArgs([60_000, 2_000, 5_000]);
const homes = { dc1: stackHome(), dc2: join(stackHome(), 'dc2'), dc3: join(stackHome(), 'dc3') };
const kafkaOf = (home: string): Kafka => {
  const endpoints = JSON.parse(readFileSync(join(home, 'endpoints.json'), 'utf8')) as KafkaConnection;
  return createKafka({ clientId: 'mirror-bench', ...kafkaClientOptionsFor(endpoints) });
};
const [dc1, dc2, dc3] = [kafkaOf(homes.dc1), kafkaOf(homes.dc2), kafkaOf(homes.dc3)];

// A topic of its own, which the local stack's mirror copies (inventory.test-mirror-*).
const topic = uniqueTopic('mirror');
const copy = `dc1.${topic}`;
const admin = dc1.admin();
await admin.connect();
await admin.createTopics({
  waitForLeaders: true,
  topics: [
    {
      topic,
      numPartitions: 12,
      replicationFactor: 1,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    },
  ],
});
await admin.disconnect();
console.error(
  `producing ${records} records to dc1 ${topic} at ${rate}/s; reading ${copy} in dc2 and dc3 ...`,
);

/** Reads the copy in one data centre: every record's delay, and when the last of `records` arrived. */
async function reader(kafka: Kafka, name: string) {
  const listing = kafka.admin();
  await listing.connect();
  // The mirror sees a new topic within its refresh interval (5 s locally).
  await waitFor(async () => (await listing.listTopics()).includes(copy), {
    description: `${copy} in ${name}`,
    timeoutMs: 120_000,
    intervalMs: 500,
  });
  await listing.disconnect();
  const delays: number[] = [];
  const seen = new Set<string>();
  let probed = false;
  const consumer = kafka.consumer({ groupId: `mirror-bench-${name}-${Date.now()}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic: copy, fromBeginning: true });
  let lastAt = 0;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const message of batch.messages) {
        const value = message.value?.toString() ?? '';
        if (value === 'probe') probed = true;
        if (value === 'probe' || seen.has(value)) continue;
        seen.add(value);
        delays.push(now - Number(message.timestamp));
        lastAt = now;
      }
    },
  });
  return { name, delays, seen, consumer, lastAt: () => lastAt, probed: () => probed };
}

const producer = dc1.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
// A first record, so that the copy exists before the clock starts.
await producer.send({ topic, acks: -1, messages: [{ key: 'probe', value: 'probe' }] });
const readers = await Promise.all([reader(dc2, 'dc2'), reader(dc3, 'dc3')]);
// The mirror has taken the new topic into its tasks once the first record is across.
await waitFor(() => readers.every((r) => r.probed()), {
  description: 'the first record in dc2 and dc3',
  timeoutMs: 120_000,
  intervalMs: 100,
});
const cpuBefore = readCpu(homes.dc1);
const started = Date.now();
const tickMs = 10;
let sent = 0;
while (sent < records) {
  // Steady: as many as the rate allows by now, in one request per tick.
  const due = Math.min(records, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
  if (due > sent) {
    const messages = Array.from({ length: due - sent }, (_, i) => {
      const n = sent + i;
      return { key: `key-${n % keys}`, value: `record-${n}` };
    });
    await producer.send({ topic, acks: -1, messages });
    sent = due;
  }
  await sleep(tickMs);
}
const producedIn = (Date.now() - started) / 1000;
await producer.disconnect();
await waitFor(() => readers.every((r) => r.seen.size >= records), {
  description: () => readers.map((r) => `${r.name} ${r.seen.size}/${records}`).join(', '),
  timeoutMs: 300_000,
  intervalMs: 200,
});
const mirrorCpu = cpuCost(cpuBefore, readCpu(homes.dc1), records).find((c) => c.part === 'mirror-maker');
for (const r of readers) await r.consumer.disconnect();

const result = {
  records,
  offeredPerSecond: rate,
  producedPerSecond: Math.round(records / producedIn),
  keys,
  delayMs: Object.fromEntries(
    readers.map((r) => {
      const sorted = [...r.delays].sort((a, b) => a - b);
      return [
        r.name,
        {
          p50: quantile(sorted, 0.5),
          p99: quantile(sorted, 0.99),
          max: sorted.at(-1),
          // Until the last record was there, from the first produced.
          caughtUpAfterS: Math.round((r.lastAt() - started) / 100) / 10,
        },
      ];
    }),
  ),
  // Both flows out of dc1 (to dc2 and to dc3) are in this one process.
  mirrorCpuSeconds: mirrorCpu?.cpuSeconds,
  mirrorCpuMicrosPerRecordPerFlow: mirrorCpu
    ? Math.round((mirrorCpu.microsPerEvent / 2) * 10) / 10
    : undefined,
};
console.log(JSON.stringify(result));
process.exit(0);
