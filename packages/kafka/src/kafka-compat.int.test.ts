import { waitFor } from '@inventory/core';
import { collect, testKafka, uniqueName, uniqueTopic } from '@inventory/testkit';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The proof that kafkajs 2.2.4 works with the broker version the stack runs (README,
 * "Kafka version"): a consumer group sharing partitions, the idempotent producer, and
 * transactions (commit, abort, read_committed, offsets sent within a transaction).
 */
describe('kafkajs 2.2.4 against the stack broker', () => {
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  const createTopic = async (partitions: number) => {
    const topic = uniqueTopic('compat');
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    });
    return topic;
  };

  it('shares partitions in a consumer group and commits offsets; the idempotent producer delivers each once', async () => {
    const topic = await createTopic(3);
    const groupId = uniqueName('compat-group');
    const assignments = new Map<string, number[]>();
    const received: string[] = [];
    const members: Consumer[] = [];
    for (const member of ['a', 'b']) {
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        assignments.set(member, event.payload.memberAssignment[topic] ?? []);
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push(`${message.key?.toString()}=${message.value?.toString()}`);
        },
      });
      members.push(consumer);
    }
    // Both members hold partitions and together all three: the group rebalanced.
    await waitFor(
      () => {
        const a = assignments.get('a') ?? [];
        const b = assignments.get('b') ?? [];
        return a.length > 0 && b.length > 0 && [...a, ...b].sort().join() === '0,1,2';
      },
      { description: 'both group members to share the 3 partitions', timeoutMs: 60_000 },
    );

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 60 }, (_, i) => ({ key: `sku-${i % 20}`, value: `event-${i}` }));
    await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();

    await waitFor(() => received.length >= 60, {
      description: '60 messages across the group',
      timeoutMs: 30_000,
    });
    expect(received.sort()).toEqual(sent.map((m) => `${m.key}=${m.value}`).sort());

    // Auto-commit follows processed batches; the group's committed offsets reach the end of
    // every partition that holds records (an empty partition has nothing to commit).
    const ends = (await admin.fetchTopicOffsets(topic)).filter((end) => end.offset !== '0');
    expect(ends.reduce((sum, end) => sum + Number(end.offset), 0)).toBe(60);
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return ends.every(
          (end) => committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.offset,
        );
      },
      { description: 'committed offsets to equal the partition ends', timeoutMs: 30_000 },
    );
    for (const consumer of members) await consumer.disconnect();
  });

  it('commits and aborts transactions; a read_committed consumer sees only committed records', async () => {
    const topic = await createTopic(1);
    const producer = kafka.producer({
      transactionalId: uniqueName('compat-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const inTransaction = async (prefix: string, count: number, commit: boolean) => {
      const transaction = await producer.transaction();
      await transaction.send({
        topic,
        messages: Array.from({ length: count }, (_, i) => ({ key: prefix, value: `${prefix}-${i}` })),
      });
      if (commit) await transaction.commit();
      else await transaction.abort();
    };
    await inTransaction('committed', 5, true);
    await inTransaction('aborted', 5, false);
    await inTransaction('final', 3, true);
    await producer.disconnect();

    const committedOnly = await collect(kafka, topic);
    const all = await collect(kafka, topic, { readUncommitted: true });
    // "final" comes after the aborted batch: once it is seen, the aborted records were skipped, not pending.
    const seen = (await committedOnly.waitForCount(8)).map((m) => m.message.value?.toString());
    expect(seen).toEqual([
      'committed-0',
      'committed-1',
      'committed-2',
      'committed-3',
      'committed-4',
      'final-0',
      'final-1',
      'final-2',
    ]);
    const uncommitted = (await all.waitForCount(13)).map((m) => m.message.value?.toString());
    expect(uncommitted.filter((v) => v?.startsWith('aborted'))).toHaveLength(5);
    await committedOnly.stop();
    await all.stop();
  });

  it('commits consumed offsets inside a transaction (consume-transform-produce)', async () => {
    const input = await createTopic(1);
    const output = await createTopic(1);
    const groupId = uniqueName('compat-ctp');
    const seed = kafka.producer({ idempotent: true });
    await seed.connect();
    await seed.send({
      topic: input,
      messages: Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i) })),
    });
    await seed.disconnect();

    const producer = kafka.producer({
      transactionalId: uniqueName('compat-ctp-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: input, fromBeginning: true });
    let transformed = 0;
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const transaction = await producer.transaction();
        await transaction.send({
          topic: output,
          messages: batch.messages.map((m) => ({ key: m.key, value: `x${m.value?.toString()}` })),
        });
        const last = batch.messages.at(-1);
        if (last) {
          await transaction.sendOffsets({
            consumerGroupId: groupId,
            topics: [
              {
                topic: input,
                partitions: [{ partition: batch.partition, offset: String(Number(last.offset) + 1) }],
              },
            ],
          });
        }
        await transaction.commit();
        transformed += batch.messages.length;
      },
    });
    await waitFor(() => transformed >= 10, { description: '10 transformed records', timeoutMs: 30_000 });
    await consumer.disconnect();
    await producer.disconnect();

    const [offsets] = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(offsets?.partitions[0]?.offset).toBe('10');
    const out = await collect(kafka, output);
    expect((await out.waitForCount(10)).map((m) => m.message.value?.toString())).toEqual(
      Array.from({ length: 10 }, (_, i) => `x${i}`),
    );
    await out.stop();
  });
});
