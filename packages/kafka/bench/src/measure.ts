// One client on the Node version running this file: produce, consume and end-to-end latency
// cases of a plan (argv[2], JSON), result printed as one line. Started by run.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { type AvroCodec, createCodec } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { stackKafkaOptions } from '@inventory/testkit';
import { clientUnderTest } from './clients/index.ts';
import { type ClientUnderTest, nowUs, type OutgoingRecord } from './clients/types.ts';
import {
  type ChildPlan,
  type ChildResult,
  type LatencyResult,
  type ProduceCase,
  type ProduceResult,
  resultPrefix,
  type Throughput,
} from './plan.ts';
import { PoolCursor, recordPool } from './records.ts';
import { quantile } from './stats.ts';

const plan = JSON.parse(process.argv[2] ?? '{}') as ChildPlan;
const log = (message: string) => process.stderr.write(`[${plan.client}@${process.version}] ${message}\n`);

/** CPU time of this process (every thread: librdkafka's included), in microseconds. */
function cpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function produceCase(
  client: ClientUnderTest,
  cursor: PoolCursor,
  c: ProduceCase,
): Promise<ProduceResult> {
  const producer = await client.producer(`bench-produce-${c.batch}`);
  let measuring = false;
  let stopped = false;
  let acknowledged = 0;
  let total = 0;
  const sender = async () => {
    while (!stopped) {
      await producer.send(c.topic, cursor.take(c.batch));
      total += c.batch;
      if (measuring) acknowledged += c.batch;
    }
  };
  const senders = Array.from({ length: c.concurrency }, sender);
  const failed = Promise.all(senders).then(() => undefined);
  // Warm-up, then the measured window: durations of the benchmark, not synchronisation.
  await Promise.race([sleep(plan.warmupSeconds * 1000), failed]);
  const cpu0 = cpuUs();
  const t0 = performance.now();
  measuring = true;
  await Promise.race([sleep(plan.seconds * 1000), failed]);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cpuUs() - cpu0;
  const counted = acknowledged;
  stopped = true;
  await failed;
  await producer.close();
  return {
    batch: c.batch,
    concurrency: c.concurrency,
    acknowledged: total,
    recordsPerSecond: counted / elapsed,
    cpuUsPerRecord: cpu / counted,
  };
}

/** Reads a topic whole with a fresh group, decoding every record; timed from its first record. */
async function readAll(
  client: ClientUnderTest,
  codec: AvroCodec,
  topic: string,
  count: number,
): Promise<Throughput> {
  let received = 0;
  let t0 = 0;
  let t1 = 0;
  let cpu0 = 0;
  let cpu1 = 0;
  const consumer = await client.consume(
    { topic, groupId: `bench-read-${topic}-${process.pid}`, withSentAt: false },
    (value) => {
      if (received === 0) {
        t0 = performance.now();
        cpu0 = cpuUs();
      }
      codec.decodeSync(value, 'InventoryEvent');
      received++;
      if (received === count) {
        t1 = performance.now();
        cpu1 = cpuUs();
      }
    },
  );
  try {
    await waitFor(() => received >= count, {
      description: `${count} records of ${topic} (read ${received})`,
      timeoutMs: 600_000,
      intervalMs: 20,
    });
  } finally {
    await consumer.close();
  }
  return { recordsPerSecond: (count - 1) / ((t1 - t0) / 1000), cpuUsPerRecord: (cpu1 - cpu0) / count };
}

/**
 * Single records at a steady rate through one producer and one consumer group of the same
 * process (one clock), each record carrying its send time; latency = decoded minus sent.
 */
async function latencyCase(
  client: ClientUnderTest,
  codec: AvroCodec,
  cursor: PoolCursor,
): Promise<LatencyResult> {
  const { topic, rate } = plan.latency;
  let windowFrom = Number.POSITIVE_INFINITY;
  let windowTo = Number.POSITIVE_INFINITY;
  let anyReceived = false;
  const latencies: number[] = [];
  const consumer = await client.consume(
    { topic, groupId: `bench-latency-${process.pid}`, withSentAt: true },
    (value, sentAt) => {
      const now = nowUs();
      codec.decodeSync(value, 'InventoryEvent');
      anyReceived = true;
      if (sentAt !== undefined && sentAt >= windowFrom && sentAt < windowTo)
        latencies.push((now - sentAt) / 1000);
    },
  );
  const producer = await client.producer('bench-latency');
  const failures: unknown[] = [];
  const sendOne = () => {
    const [record] = cursor.take(1);
    producer
      .send(topic, [{ ...(record as OutgoingRecord), sentAtUs: nowUs() }])
      .catch((error: unknown) => failures.push(error));
  };
  // Until the group has its partitions, records wait for the consumer: send until one arrives.
  await waitFor(
    () => {
      sendOne();
      return anyReceived;
    },
    { description: 'the latency consumer to receive a first record', timeoutMs: 60_000, intervalMs: 50 },
  );
  let sent = 0;
  let sentInWindow = 0;
  const start = performance.now();
  const ticker = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * rate) - sent;
    for (let i = 0; i < due; i++) {
      sendOne();
      if (Number.isFinite(windowFrom) && !Number.isFinite(windowTo)) sentInWindow++;
    }
    sent += Math.max(0, due);
  }, 1);
  await sleep(plan.warmupSeconds * 1000);
  const cpu0 = cpuUs();
  const t0 = performance.now();
  windowFrom = nowUs();
  await sleep(plan.seconds * 1000);
  windowTo = nowUs();
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cpuUs() - cpu0;
  clearInterval(ticker);
  try {
    await waitFor(() => latencies.length >= sentInWindow || failures.length > 0, {
      description: `the ${sentInWindow} records of the measured window (received ${latencies.length})`,
      timeoutMs: 120_000,
      intervalMs: 20,
    });
  } finally {
    await producer.close();
    await consumer.close();
  }
  if (failures.length > 0) throw failures[0];
  latencies.sort((a, b) => a - b);
  return {
    sentPerSecond: sentInWindow / elapsed,
    samples: latencies.length,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    cpuUsPerRecord: cpu / sentInWindow,
  };
}

const codec = createCodec({ registryUrl: plan.registryUrl });
const pool = await recordPool(codec, plan.poolSize);
await codec.preloadWriters([pool[0]?.value]);
const cursor = new PoolCursor(pool);
// The measuring process reads the stack's credentials itself: none travel in its plan.
const client = await clientUnderTest(plan.client, stackKafkaOptions());

const produce: ProduceResult[] = [];
for (const c of plan.produce) {
  const result = await produceCase(client, cursor, c);
  log(`produce batch ${c.batch} x ${c.concurrency}: ${Math.round(result.recordsPerSecond)} records/s`);
  produce.push(result);
}
await readAll(client, codec, plan.consume.warmupTopic, plan.consume.warmupCount);
const consume = await readAll(client, codec, plan.consume.topic, plan.consume.count);
log(`consume: ${Math.round(consume.recordsPerSecond)} records/s`);
const latency = await latencyCase(client, codec, cursor);
log(
  `latency at ${Math.round(latency.sentPerSecond)}/s: p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms`,
);

const result: ChildResult = { client: plan.client, node: process.version, produce, consume, latency };
process.stdout.write(`${resultPrefix}${JSON.stringify(result)}\n`);
// Client libraries may keep timers or native threads alive after closing.
process.exit(0);
