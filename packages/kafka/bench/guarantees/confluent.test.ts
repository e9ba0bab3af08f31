import { waitFor } from '@inventory/core';
import { CoPartitionedAssigner } from '@inventory/kafka';
import { createTestTopic, uniqueName } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import { loadConfluent } from '../src/clients/modules.ts';
import { confluentReach } from '../src/clients/reach.ts';
import * as g from './support.ts';

/** @confluentinc/kafka-javascript through its KafkaJS-compatible API (librdkafka underneath). */
describe('@confluentinc/kafka-javascript (KafkaJS API)', () => {
  const { KafkaJS } = loadConfluent();
  const kafka = () => {
    const reach = confluentReach(g.connection());
    return new KafkaJS.Kafka({
      kafkaJS: { clientId: uniqueName('g-confluent'), ...reach.kafkaJS, logLevel: KafkaJS.logLevel.NOTHING },
      ...reach.extra,
    });
  };
  const producer = (transactionalId?: string) =>
    kafka().producer({
      kafkaJS: { idempotent: true, acks: -1, ...(transactionalId === undefined ? {} : { transactionalId }) },
      'linger.ms': 0,
    });
  type Consumer = ReturnType<InstanceType<typeof KafkaJS.Kafka>['consumer']>;
  const consumer = (groupId: string, extra: Record<string, unknown> = {}): Consumer =>
    kafka().consumer({ kafkaJS: { groupId, fromBeginning: true, maxWaitTimeInMs: 100, ...extra } });

  it('idempotent producer, batched and concurrent single sends: one producer id, gap-free sequences, every record once', async () => {
    await g.expectIdempotentProducer('g-confluent', async () => {
      const p = producer();
      await p.connect();
      return {
        send: async (topic, messages) => {
          await p.send({ topic, messages });
        },
        close: () => p.disconnect(),
      };
    });
  });

  it("places keys where Java's producer does (its default murmur2_random)", async () => {
    const topic = await createTestTopic('g-confluent-murmur', 12);
    const p = producer();
    await p.connect();
    await p.send({ topic, messages: g.skuKeys.map((key) => ({ key, value: key })) });
    await p.disconnect();
    const placed = new Map((await g.readBack(topic, g.skuKeys.length)).map((r) => [r.key, r.partition]));
    expect(g.skuKeys.map((key) => placed.get(key))).toEqual(g.javaPartitions(g.skuKeys, 12));
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
    await g.expectOnlyCommittedTransactions(topic);
  });

  it('co-partitioning: a custom assigner is refused; the built-in range assigner co-partitions', async () => {
    const groupId = uniqueName('g-confluent-copart');
    await expect(
      consumer(groupId, { partitionAssigners: [CoPartitionedAssigner] }).connect(),
    ).rejects.toMatchObject({
      code: KafkaJS.ErrorCodes.ERR__INVALID_ARG,
    });
    await g.expectMembersCoPartitioned('g-confluent-copart', groupId, () =>
      consumer(groupId, { partitionAssigners: [KafkaJS.PartitionAssigners.range] }),
    );
  });

  it('offsets resolved within a batch: a failed batch resumes at the first unresolved record', async () => {
    const topic = await createTestTopic('g-confluent-resolve', 1);
    const groupId = uniqueName('g-confluent-resolve');
    await g.expectBatchResumedAtNine(topic, groupId, consumer(groupId, { autoCommitInterval: 500 }));
  });

  it('pause and seek per partition', async () => {
    const topic = await createTestTopic('g-confluent-pause', 2);
    const p = producer();
    await p.connect();
    try {
      await g.expectMemberPausesAndSeeks(
        topic,
        consumer(uniqueName('g-confluent-pause')),
        async (value, partition) => {
          await p.send({ topic, messages: [{ value, partition }] });
        },
      );
    } finally {
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
    const alone = await g.groupAssignments(groupId, 1);
    const before = [...alone.values()][0]?.get(topic) ?? [];
    expect(before).toHaveLength(12);
    const second = consumer(groupId, { partitionAssigners: [KafkaJS.PartitionAssigners.cooperativeSticky] });
    await second.connect();
    await second.subscribe({ topics: [topic] });
    await second.run({ eachMessage: async () => {} });
    try {
      const shared = [...(await g.groupAssignments(groupId, 2)).values()].map((m) => m.get(topic) ?? []);
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
