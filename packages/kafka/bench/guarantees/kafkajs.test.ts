import { CoPartitionedAssigner, createConsumer, createKafka, createProducer } from '@inventory/kafka';
import { partitionOf } from '@inventory/read-model';
import { createTestTopic, uniqueName } from '@inventory/testkit';
import type { Consumer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import * as g from './support.ts';

/** kafkajs 2.2.4 as packages/kafka configures it: the reference the other clients are held to. */
/** kafkajs takes fromBeginning per subscription; the shared tests subscribe without it. */
const fromStart = (consumer: Consumer): g.KafkaJsLikeMember => ({
  ...consumer,
  subscribe: ({ topics }) => consumer.subscribe({ topics, fromBeginning: true }),
});

describe('kafkajs', () => {
  const kafka = () => createKafka({ clientId: uniqueName('g-kafkajs'), ...g.connection() });

  it('idempotent producer, batched and concurrent single sends: one producer id, gap-free sequences, every record once', async () => {
    await g.expectIdempotentProducer('g-kafkajs', async () => {
      const producer = createProducer(kafka());
      await producer.connect();
      return {
        send: async (topic, messages) => {
          await producer.send({ topic, acks: -1, messages });
        },
        close: () => producer.disconnect(),
      };
    });
  });

  it("places keys where Java's producer does (murmur2), as the query API computes them", async () => {
    const topic = await createTestTopic('g-kafkajs-murmur', 12);
    const producer = createProducer(kafka());
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: g.skuKeys.map((key) => ({ key, value: key })) });
    await producer.disconnect();
    const seen = await g.readBack(topic, g.skuKeys.length);
    const java = g.javaPartitions(g.skuKeys, 12);
    const placed = new Map(seen.map((r) => [r.key, r.partition]));
    expect(g.skuKeys.map((key) => placed.get(key))).toEqual(java);
    expect(g.skuKeys.map((key) => partitionOf(key, 12))).toEqual(java);
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
    await g.expectOnlyCommittedTransactions(topic);
  });

  it("co-partitioning: the platform's assigner gives partition p of both topics to one member", async () => {
    const groupId = uniqueName('g-kafkajs-copart');
    await g.expectMembersCoPartitioned('g-kafkajs-copart', groupId, () => {
      const consumer = createConsumer(kafka(), {
        groupId,
        partitionAssigners: [CoPartitionedAssigner],
        sessionTimeoutMs: 10_000,
      });
      return fromStart(consumer);
    });
  });

  it('offsets resolved within a batch: a failed batch resumes at the first unresolved record', async () => {
    const topic = await createTestTopic('g-kafkajs-resolve', 1);
    const groupId = uniqueName('g-kafkajs-resolve');
    await g.expectBatchResumedAtNine(
      topic,
      groupId,
      fromStart(createConsumer(kafka(), { groupId, maxWaitTimeMs: 100 })),
    );
  });

  it('pause and seek per partition', async () => {
    const topic = await createTestTopic('g-kafkajs-pause', 2);
    const producer = createProducer(kafka());
    await producer.connect();
    const consumer = createConsumer(kafka(), { groupId: uniqueName('g-kafkajs-pause'), maxWaitTimeMs: 100 });
    try {
      await g.expectMemberPausesAndSeeks(topic, fromStart(consumer), async (value, partition) => {
        await producer.send({ topic, acks: -1, messages: [{ value, partition }] });
      });
    } finally {
      await producer.disconnect();
    }
  });
});
