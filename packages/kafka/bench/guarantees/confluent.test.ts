import { waitFor } from '@inventory/core';
import { CoPartitionedAssigner } from '@inventory/kafka';
import { createTestTopic, readTopicRecords, uniqueName } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import { loadConfluent } from '../src/clients/modules.ts';
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

/** @confluentinc/kafka-javascript through its KafkaJS-compatible API (librdkafka underneath). */
describe('@confluentinc/kafka-javascript (KafkaJS API)', () => {
  const { KafkaJS } = loadConfluent();
  const kafka = () =>
    new KafkaJS.Kafka({
      kafkaJS: {
        clientId: uniqueName('g-confluent'),
        brokers: brokers(),
        logLevel: KafkaJS.logLevel.NOTHING,
      },
    });
  const producer = (transactionalId?: string) =>
    kafka().producer({
      kafkaJS: { idempotent: true, acks: -1, ...(transactionalId === undefined ? {} : { transactionalId }) },
      'linger.ms': 0,
    });
  type Consumer = ReturnType<InstanceType<typeof KafkaJS.Kafka>['consumer']>;
  const consumer = (groupId: string, extra: Record<string, unknown> = {}): Consumer =>
    kafka().consumer({ kafkaJS: { groupId, fromBeginning: true, maxWaitTimeInMs: 100, ...extra } });

  it('idempotent producer: one producer id, gap-free sequences, every record once', async () => {
    const topic = await createTestTopic('g-confluent-idem', 12);
    const p = producer();
    await p.connect();
    const values = Array.from({ length: 300 }, (_, i) => `v-${i}`);
    for (let i = 0; i < 3; i++) {
      await p.send({
        topic,
        messages: values
          .slice(i * 100, i * 100 + 100)
          .map((value, j) => ({ key: skuKeys[j] as string, value })),
      });
    }
    await p.disconnect();
    expectIdempotentLog(await readBack(topic, 300), values);
  });

  it('concurrent single-record sends (as concurrent ingest requests make them): each acknowledged record lands once', async () => {
    const topic = await createTestTopic('g-confluent-concurrent', 12);
    const p = producer();
    await p.connect();
    const values = Array.from({ length: 200 }, (_, i) => `c-${i}`);
    await Promise.all(
      values.map((value, i) => p.send({ topic, messages: [{ key: skuKeys[i] as string, value }] })),
    );
    await p.disconnect();
    expect(await readTopicRecords(topic)).toBe(200);
    expectIdempotentLog(await readBack(topic, 200), values);
  });

  it("places keys where Java's producer does (its default murmur2_random)", async () => {
    const topic = await createTestTopic('g-confluent-murmur', 12);
    const p = producer();
    await p.connect();
    await p.send({ topic, messages: skuKeys.map((key) => ({ key, value: key })) });
    await p.disconnect();
    const placed = new Map((await readBack(topic, skuKeys.length)).map((r) => [r.key, r.partition]));
    expect(skuKeys.map((key) => placed.get(key))).toEqual(javaPartitions(skuKeys, 12));
  });

  it('transactions: commit, abort, and a new producer of the same id fences the old one', async () => {
    const topic = await createTestTopic('g-confluent-tx', 3);
    const transactionalId = uniqueName('g-confluent-tx');
    const first = producer(transactionalId);
    // Connecting a transactional producer initialises it (InitProducerId): that is the takeover.
    await first.connect();
    const inTransaction = async (p: typeof first, prefix: string, commit: boolean) => {
      const transaction = await p.transaction();
      await transaction.send({
        topic,
        messages: [0, 1, 2].map((i) => ({ key: prefix, value: `${prefix}-${i}`, partition: 2 })),
      });
      if (commit) await transaction.commit();
      else await transaction.abort();
    };
    await inTransaction(first, 'committed', true);
    await inTransaction(first, 'aborted', false);
    const second = producer(transactionalId);
    await second.connect();
    // The fenced producer's records are purged from its queue; ending its transaction names the fencing.
    const transaction = await first.transaction();
    await expect(
      transaction.send({ topic, messages: [{ key: 'fenced', value: 'fenced-0', partition: 2 }] }),
    ).rejects.toMatchObject({ code: KafkaJS.ErrorCodes.ERR__PURGE_QUEUE });
    await expect(transaction.abort()).rejects.toMatchObject({ code: KafkaJS.ErrorCodes.ERR__FENCED });
    await inTransaction(second, 'final', true);
    await first.disconnect().catch(() => {});
    await second.disconnect();
    await expectOnlyCommittedTransactions(topic);
  });

  it('co-partitioning: a custom assigner is refused; the built-in range assigner co-partitions', async () => {
    const groupId = uniqueName('g-confluent-copart');
    await expect(
      consumer(groupId, { partitionAssigners: [CoPartitionedAssigner] }).connect(),
    ).rejects.toMatchObject({
      code: KafkaJS.ErrorCodes.ERR__INVALID_ARG,
    });
    const topics: [string, string] = [
      await createTestTopic('g-confluent-copart-a', 12),
      await createTestTopic('g-confluent-copart-b', 12),
    ];
    const members = [0, 1].map(() =>
      consumer(groupId, { partitionAssigners: [KafkaJS.PartitionAssigners.range] }),
    );
    for (const member of members) {
      await member.connect();
      await member.subscribe({ topics });
      await member.run({ eachMessage: async () => {} });
    }
    try {
      expectCoPartitioned(await groupAssignments(groupId, 2), topics, 12);
    } finally {
      for (const member of members) await member.disconnect();
    }
  });

  it('offsets resolved within a batch: a failed batch resumes at the first unresolved record', async () => {
    const topic = await createTestTopic('g-confluent-resolve', 1);
    await seedNumbered(topic, 20);
    const groupId = uniqueName('g-confluent-resolve');
    const c = consumer(groupId, { autoCommitInterval: 500 });
    const delivered: number[] = [];
    await c.connect();
    await c.subscribe({ topics: [topic] });
    await c.run({
      eachBatchAutoResolve: false,
      eachBatch: failingOnceAtNine(delivered),
    });
    try {
      await expectResumedAtNine(delivered, groupId, topic);
    } finally {
      await c.disconnect();
    }
  });

  it('pause and seek per partition', async () => {
    const topic = await createTestTopic('g-confluent-pause', 2);
    const p = producer();
    await p.connect();
    const c = consumer(uniqueName('g-confluent-pause'));
    const delivered: string[] = [];
    await c.connect();
    await c.subscribe({ topics: [topic] });
    await c.run({
      eachMessage: async ({ partition, message }) => {
        delivered.push(`${partition}:${message.value?.toString()}`);
      },
    });
    try {
      await expectPauseAndSeek({
        delivered,
        send: async (value, partition) => {
          await p.send({ topic, messages: [{ value, partition }] });
        },
        pausePartitionZero: () => c.pause([{ topic, partitions: [0] }]),
        resumePartitionZero: () => c.resume([{ topic, partitions: [0] }]),
        seekPartitionZeroToStart: () => c.seek({ topic, partition: 0, offset: '0' }),
      });
    } finally {
      await c.disconnect();
      await p.disconnect();
    }
  });

  it('cooperative rebalance: a joining member takes half, the first member gives up only that half', async () => {
    const topic = await createTestTopic('g-confluent-coop', 12);
    const groupId = uniqueName('g-confluent-coop');
    const revoked: number[][] = [];
    const first = kafka().consumer({
      kafkaJS: {
        groupId,
        fromBeginning: true,
        partitionAssigners: [KafkaJS.PartitionAssigners.cooperativeSticky],
      },
      rebalance_cb: (error: { code: number }, assignment: { partition: number }[]) => {
        if (error.code === KafkaJS.ErrorCodes.ERR__REVOKE_PARTITIONS)
          revoked.push(assignment.map((a) => a.partition));
      },
    });
    await first.connect();
    await first.subscribe({ topics: [topic] });
    await first.run({ eachMessage: async () => {} });
    const alone = await groupAssignments(groupId, 1);
    const before = [...alone.values()][0]?.get(topic) ?? [];
    expect(before).toHaveLength(12);
    const second = consumer(groupId, { partitionAssigners: [KafkaJS.PartitionAssigners.cooperativeSticky] });
    await second.connect();
    await second.subscribe({ topics: [topic] });
    await second.run({ eachMessage: async () => {} });
    try {
      const shared = [...(await groupAssignments(groupId, 2)).values()].map((m) => m.get(topic) ?? []);
      expect(shared.map((partitions) => partitions.length).sort()).toEqual([6, 6]);
      // Incremental: the first member was asked to give up exactly the six it lost, never all twelve.
      await waitFor(() => revoked.length > 0, { description: 'a revocation', timeoutMs: 30_000 });
      expect(revoked.flat()).toHaveLength(6);
    } finally {
      await second.disconnect();
      await first.disconnect();
    }
  });
});
