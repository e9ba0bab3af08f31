import { randomBytes } from 'node:crypto';
import { InventoryError } from '@inventory/core';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { createConsumer } from './client.ts';

export interface PartitionRange {
  /** First offset to read. */
  from: number;
  /** First offset not to read. */
  to: number;
}

export interface ReadOptions {
  /** Prefix of the throw-away consumer group used for the read. */
  groupPrefix: string;
  timeoutMs?: number;
}

/**
 * Reads offsets [from, to) of the given partitions of `topic` once, then stops. Used to
 * rebuild state from compacted topics and to replay the dedup horizon; a throw-away group is
 * used because kafkajs only consumes within a group, and it is deleted afterwards.
 */
export async function readRanges(
  kafka: Kafka,
  topic: string,
  ranges: Map<number, PartitionRange>,
  handle: (message: KafkaMessage, partition: number) => void | Promise<void>,
  options: ReadOptions,
): Promise<number> {
  const pending = new Map([...ranges].filter(([, r]) => r.to > r.from));
  if (pending.size === 0) return 0;
  const groupId = `${options.groupPrefix}-${randomBytes(6).toString('hex')}`;
  const consumer = createConsumer(kafka, { groupId, maxWaitTimeMs: 100 });
  let read = 0;
  let settle: (error?: unknown) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  const timer = setTimeout(
    () => settle(new InventoryError('TIMEOUT', `reading ${topic} did not finish`)),
    options.timeoutMs ?? 120_000,
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const started = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    // Per partition, the next offset to hand over: a batch fetched before the seek below and
    // one fetched after it may hold the same records, and each is handed over once.
    const position = new Map([...pending].map(([p, r]) => [p, r.from]));
    const reached = (partition: number, lastOffset: number) => {
      const range = pending.get(partition);
      if (!range || lastOffset < range.to - 1) return;
      pending.delete(partition);
      consumer.pause([{ topic, partitions: [partition] }]);
      if (pending.size === 0) settle();
    };
    // A batch of only transaction markers or aborted records never reaches eachBatch; its end
    // is seen here (the end of a transactional partition is usually such a marker). Batches
    // with records are judged in eachBatch, which skips the stale ones.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic === topic && payload.batchSize === 0)
        reached(payload.partition, Number(payload.lastOffset));
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, isStale }) => {
        const range = pending.get(batch.partition);
        if (!range || isStale()) return;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < (position.get(batch.partition) ?? range.from)) continue;
          if (offset >= range.to) break;
          await handle(message, batch.partition);
          position.set(batch.partition, offset + 1);
          read++;
        }
        reached(batch.partition, Number(batch.lastOffset()));
      },
    });
    await started;
    const admin = kafka.admin();
    await admin.connect();
    const all = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const others = all.map((p) => p.partition).filter((p) => !ranges.has(p));
    if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    for (const [partition, range] of pending) consumer.seek({ topic, partition, offset: String(range.from) });
    await finished;
    return read;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
}

/** Reads every partition of `topic` from its start to the end it had when the call began. */
export async function readToEnd(
  kafka: Kafka,
  topic: string,
  handle: (message: KafkaMessage, partition: number) => void | Promise<void>,
  options: ReadOptions,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const ranges = new Map(offsets.map((p) => [p.partition, { from: Number(p.low), to: Number(p.high) }]));
    return await readRanges(kafka, topic, ranges, handle, options);
  } finally {
    await admin.disconnect();
  }
}
