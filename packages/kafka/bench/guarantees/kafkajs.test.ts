import { CoPartitionedAssigner, createConsumer, createKafka, createProducer } from '@inventory/kafka';
import { partitionOf } from '@inventory/read-model';
import { createTestTopic, readTopicRecords, uniqueName } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import {
  brokers,
  expectCoPartitioned,
  expectIdempotentLog,
  expectOnlyCommittedTransactions,
  expectPauseAndSeek,
  expectResumedAtNine,
  failingOnceAtNine,
  groupAssignments,
  javaPartitions,
  readBack,
  seedNumbered,
  skuKeys,
} from './support.ts';

/** kafkajs 2.2.4 as packages/kafka configures it: the reference the other clients are held to. */
describe('kafkajs', () => {
  const kafka = () => createKafka({ clientId: uniqueName('g-kafkajs'), brokers: brokers() });

  it('idempotent producer: one producer id, gap-free sequences, every record once', async () => {
    const topic = await createTestTopic('g-kafkajs-idem', 12);
    const producer = createProducer(kafka());
    await producer.connect();
    const values = Array.from({ length: 300 }, (_, i) => `v-${i}`);
    for (let i = 0; i < 3; i++) {
      await producer.send({
        topic,
        acks: -1,
        messages: values
          .slice(i * 100, i * 100 + 100)
          .map((value, j) => ({ key: skuKeys[j] as string, value })),
      });
    }
    await producer.disconnect();
    expectIdempotentLog(await readBack(topic, 300), values);
  });

  it('concurrent single-record sends (as concurrent ingest requests make them): each acknowledged record lands once', async () => {
    const topic = await createTestTopic('g-kafkajs-concurrent', 12);
    const producer = createProducer(kafka());
    await producer.connect();
    const values = Array.from({ length: 200 }, (_, i) => `c-${i}`);
    await Promise.all(
      values.map((value, i) =>
        producer.send({ topic, acks: -1, messages: [{ key: skuKeys[i] as string, value }] }),
      ),
    );
    await producer.disconnect();
    expect(await readTopicRecords(topic)).toBe(200);
    expectIdempotentLog(await readBack(topic, 200), values);
  });

  it("places keys where Java's producer does (murmur2), as the query API computes them", async () => {
    const topic = await createTestTopic('g-kafkajs-murmur', 12);
    const producer = createProducer(kafka());
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: skuKeys.map((key) => ({ key, value: key })) });
    await producer.disconnect();
    const seen = await readBack(topic, skuKeys.length);
    const java = javaPartitions(skuKeys, 12);
    const placed = new Map(seen.map((r) => [r.key, r.partition]));
    expect(skuKeys.map((key) => placed.get(key))).toEqual(java);
    expect(skuKeys.map((key) => partitionOf(key, 12))).toEqual(java);
  });

  it('transactions: commit, abort, and a new producer of the same id fences the old one', async () => {
    const topic = await createTestTopic('g-kafkajs-tx', 3);
    const transactionalId = uniqueName('g-kafkajs-tx');
    const first = createProducer(kafka(), { transactionalId });
    await first.connect();
    const inTransaction = async (producer: typeof first, prefix: string, commit: boolean) => {
      const transaction = await producer.transaction();
      await transaction.send({
        topic,
        acks: -1,
        messages: [0, 1, 2].map((i) => ({ key: prefix, value: `${prefix}-${i}`, partition: 2 })),
      });
      if (commit) await transaction.commit();
      else await transaction.abort();
    };
    await inTransaction(first, 'committed', true);
    await inTransaction(first, 'aborted', false);
    // The successor takes the id over as the aggregator's publisher does: an empty first transaction.
    const second = createProducer(kafka(), { transactionalId });
    await second.connect();
    await (await second.transaction()).commit();
    const fenced = await inTransaction(first, 'fenced', true).then(
      () => undefined,
      (error: unknown) => error as { type?: string },
    );
    expect(fenced?.type).toMatch(/^(PRODUCER_FENCED|INVALID_PRODUCER_EPOCH)$/);
    await inTransaction(second, 'final', true);
    await first.disconnect().catch(() => {});
    await second.disconnect();
    await expectOnlyCommittedTransactions(topic);
  });

  it("co-partitioning: the platform's assigner gives partition p of both topics to one member", async () => {
    const topics: [string, string] = [
      await createTestTopic('g-kafkajs-copart-a', 12),
      await createTestTopic('g-kafkajs-copart-b', 12),
    ];
    const groupId = uniqueName('g-kafkajs-copart');
    const members = [0, 1].map(() =>
      createConsumer(kafka(), {
        groupId,
        partitionAssigners: [CoPartitionedAssigner],
        sessionTimeoutMs: 10_000,
      }),
    );
    for (const member of members) {
      await member.connect();
      await member.subscribe({ topics, fromBeginning: true });
      await member.run({ eachMessage: async () => {} });
    }
    try {
      expectCoPartitioned(await groupAssignments(groupId, 2), topics, 12);
    } finally {
      for (const member of members) await member.disconnect();
    }
  });

  it('offsets resolved within a batch: a failed batch resumes at the first unresolved record', async () => {
    const topic = await createTestTopic('g-kafkajs-resolve', 1);
    await seedNumbered(topic, 20);
    const groupId = uniqueName('g-kafkajs-resolve');
    const consumer = createConsumer(kafka(), { groupId, maxWaitTimeMs: 100 });
    const delivered: number[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: failingOnceAtNine(delivered),
    });
    try {
      await expectResumedAtNine(delivered, groupId, topic);
    } finally {
      await consumer.disconnect();
    }
  });

  it('pause and seek per partition', async () => {
    const topic = await createTestTopic('g-kafkajs-pause', 2);
    const producer = createProducer(kafka());
    await producer.connect();
    const consumer = createConsumer(kafka(), { groupId: uniqueName('g-kafkajs-pause'), maxWaitTimeMs: 100 });
    const delivered: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        delivered.push(`${partition}:${message.value?.toString()}`);
      },
    });
    try {
      await expectPauseAndSeek({
        delivered,
        send: async (value, partition) => {
          await producer.send({ topic, acks: -1, messages: [{ value, partition }] });
        },
        pausePartitionZero: () => consumer.pause([{ topic, partitions: [0] }]),
        resumePartitionZero: () => consumer.resume([{ topic, partitions: [0] }]),
        seekPartitionZeroToStart: () => consumer.seek({ topic, partition: 0, offset: '0' }),
      });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});
