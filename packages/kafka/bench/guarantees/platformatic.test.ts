import { waitFor } from '@inventory/core';
import { coPartitionedAssignment } from '@inventory/kafka';
import { createTestTopic, uniqueName, withAdmin } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import { loadPlatformatic } from '../src/clients/modules.ts';
import { platformaticReach } from '../src/clients/reach.ts';
import * as g from './support.ts';

/** @platformatic/kafka (pure JavaScript; Node >= 22.22, so these run on Node 24). */
describe('@platformatic/kafka', async () => {
  const kafka = await loadPlatformatic();
  type Producer = InstanceType<typeof kafka.Producer<string, string, string, string>>;
  const producer = (options: { transactionalId?: string; compatible?: boolean } = {}): Producer =>
    new kafka.Producer({
      clientId: uniqueName('g-platformatic'),
      ...platformaticReach(g.connection()),
      idempotent: true,
      acks: kafka.ProduceAcks.ALL,
      serializers: kafka.stringSerializers,
      ...(options.compatible === false ? {} : { partitioner: kafka.compatibilityPartitioner }),
      // A transactional producer must say it has no producer id yet (-1/-1): the default 0/0
      // makes the broker refuse a second owner of the id with PRODUCER_FENCED (see the test).
      ...(options.transactionalId === undefined
        ? {}
        : { transactionalId: options.transactionalId, producerId: -1n, producerEpoch: -1 }),
    });
  const consumer = (groupId: string, extra: Record<string, unknown> = {}) =>
    new kafka.Consumer({
      clientId: uniqueName('g-platformatic'),
      groupId,
      ...platformaticReach(g.connection()),
      deserializers: kafka.stringDeserializers,
      isolationLevel: kafka.FetchIsolationLevels.READ_COMMITTED,
      maxWaitTime: 100,
      ...extra,
    });

  it('idempotent producer, batched and concurrent single sends: one producer id, gap-free sequences, every record once', async () => {
    await g.expectIdempotentProducer('g-platformatic', async () => {
      const p = producer();
      return {
        send: async (topic, messages) => {
          await p.send({ messages: messages.map((m) => ({ topic, ...m })) });
        },
        close: () => p.close(),
      };
    });
  });

  it("places keys where Java's producer does only with compatibilityPartitioner; the default places some elsewhere", async () => {
    const java = g.javaPartitions(g.skuKeys, 12);
    const placedBy = async (compatible: boolean) => {
      const topic = await createTestTopic('g-platformatic-murmur', 12);
      const p = producer({ compatible });
      await p.send({ messages: g.skuKeys.map((key) => ({ topic, key, value: key })) });
      await p.close();
      const placed = new Map((await g.readBack(topic, g.skuKeys.length)).map((r) => [r.key, r.partition]));
      return g.skuKeys.map((key) => placed.get(key));
    };
    expect(await placedBy(true)).toEqual(java);
    // The default takes the hash unsigned (>>> 0) where Java masks the sign bit: keys whose
    // hash is negative land elsewhere, and the query API would look for them in the wrong partition.
    const byDefault = await placedBy(false);
    const misplaced = byDefault.filter((partition, i) => partition !== java[i]).length;
    expect(misplaced).toBeGreaterThan(g.skuKeys.length / 10);
  });

  it('transactions: commit, abort, and a new producer of the same id fences the old one', async () => {
    const topic = await createTestTopic('g-platformatic-tx', 3);
    const transactionalId = uniqueName('g-platformatic-tx');
    const first = producer({ transactionalId });
    const inTransaction = async (p: Producer, prefix: string, commit: boolean) => {
      const transaction = await p.beginTransaction();
      await transaction.send({
        messages: [0, 1, 2].map((i) => ({ topic, key: prefix, value: `${prefix}-${i}`, partition: 2 })),
      });
      if (commit) await transaction.commit();
      else await transaction.abort();
    };
    await inTransaction(first, 'committed', true);
    await inTransaction(first, 'aborted', false);
    // The successor takes the id over by beginning a transaction (InitProducerId bumps the
    // epoch) and cancelling it: ending a transaction without records is refused (INVALID_TXN_STATE).
    const second = producer({ transactionalId });
    await (await second.beginTransaction()).cancel();
    expect(second.producerId).toBe(first.producerId);
    expect(second.producerEpoch).toBe((first.producerEpoch ?? 0) + 1);
    const fenced = await inTransaction(first, 'fenced', true).then(
      () => undefined,
      (error: unknown) => error as AggregateError,
    );
    expect(fenced?.errors?.[0]).toMatchObject({ apiId: 'PRODUCER_FENCED' });
    await inTransaction(second, 'final', true);
    await first.close().catch(() => {});
    await second.close();
    await g.expectOnlyCommittedTransactions(topic);
  });

  it("co-partitioning: the platform's assignment as a custom partitionAssigner", async () => {
    const topics: [string, string] = [
      await createTestTopic('g-platformatic-copart-a', 12),
      await createTestTopic('g-platformatic-copart-b', 12),
    ];
    const groupId = uniqueName('g-platformatic-copart');
    const partitionAssigner: NonNullable<
      Parameters<InstanceType<typeof kafka.Consumer>['joinGroup']>[0]
    >['partitionAssigner'] = (_current, members, subscribed, metadata) => {
      const partitionsByTopic: Record<string, number[]> = {};
      for (const topic of subscribed) {
        const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
        partitionsByTopic[topic] = Array.from({ length: count }, (_, p) => p);
      }
      return coPartitionedAssignment([...members.keys()], partitionsByTopic).map(
        ({ memberId, assignment }) => ({
          memberId,
          assignments: new Map(
            Object.entries(assignment).map(([topic, partitions]) => [topic, { topic, partitions }]),
          ),
        }),
      );
    };
    const members = [0, 1].map(() => consumer(groupId, { partitionAssigner }));
    const streams = [];
    for (const member of members)
      streams.push(await member.consume({ topics, mode: kafka.MessagesStreamModes.EARLIEST }));
    try {
      g.expectCoPartitioned(await g.groupAssignments(groupId, 2), topics, 12);
    } finally {
      for (const stream of streams) await stream.close();
      for (const member of members) await member.close();
    }
  });

  it('offsets committed per record (no eachBatch): a new member resumes at the first uncommitted record', async () => {
    const topic = await createTestTopic('g-platformatic-commit', 1);
    await g.seedNumbered(topic, 20);
    const groupId = uniqueName('g-platformatic-commit');
    const first = consumer(groupId);
    const stream = await first.consume({
      topics: [topic],
      mode: kafka.MessagesStreamModes.EARLIEST,
      autocommit: false,
    });
    const delivered: number[] = [];
    for await (const message of stream) {
      delivered.push(Number(message.offset));
      if (message.offset === 9n) break; // record 9 fails: it is not committed
      await message.commit();
    }
    await stream.close().catch(() => {});
    await first.close(true);
    const [committed] = await withAdmin(async (admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
    expect(committed?.partitions[0]?.offset).toBe('9');
    const second = consumer(groupId);
    const resumed = await second.consume({ topics: [topic], mode: kafka.MessagesStreamModes.COMMITTED });
    resumed.on('data', (message) => delivered.push(Number(message.offset)));
    try {
      await waitFor(() => delivered.includes(19), { description: 'offset 19 delivered', timeoutMs: 60_000 });
      expect(delivered).toEqual(g.resumedAtNine);
    } finally {
      await resumed.close();
      await second.close();
    }
  });

  it('seek: a stream started at chosen offsets (no per-partition pause or seek on a running stream)', async () => {
    const topic = await createTestTopic('g-platformatic-seek', 2);
    const p = producer();
    await p.send({
      messages: Array.from({ length: 10 }, (_, i) => ({ topic, value: String(i), partition: 0 })),
    });
    await p.close();
    const c = consumer(uniqueName('g-platformatic-seek'));
    const stream = await c.consume({
      topics: [topic],
      mode: kafka.MessagesStreamModes.MANUAL,
      offsets: [
        { topic, partition: 0, offset: 5n },
        { topic, partition: 1, offset: 0n },
      ],
    });
    const delivered: string[] = [];
    stream.on('data', (message) => delivered.push(message.value as string));
    try {
      await waitFor(() => delivered.length >= 5, { description: 'records 5-9', timeoutMs: 60_000 });
      expect(delivered).toEqual(['5', '6', '7', '8', '9']);
    } finally {
      await stream.close();
      await c.close();
    }
  });

  it('cooperative rebalance: a joining member takes half, the first member keeps the rest throughout', async () => {
    const topic = await createTestTopic('g-platformatic-coop', 12);
    const groupId = uniqueName('g-platformatic-coop');
    const cooperative = { protocols: [{ name: kafka.COOPERATIVE_STICKY_ASSIGNOR, version: 3 }] };
    const first = consumer(groupId, cooperative);
    const seen: number[] = [];
    first.on('consumer:group:join', () => {
      seen.push((first.assignments ?? []).reduce((n, a) => n + a.partitions.length, 0));
    });
    const firstStream = await first.consume({ topics: [topic], mode: kafka.MessagesStreamModes.EARLIEST });
    const alone = [...(await g.groupAssignments(groupId, 1)).values()][0]?.get(topic) ?? [];
    expect(alone).toHaveLength(12);
    const second = consumer(groupId, cooperative);
    const secondStream = await second.consume({ topics: [topic], mode: kafka.MessagesStreamModes.EARLIEST });
    try {
      const shared = [...(await g.groupAssignments(groupId, 2)).values()].map((m) => m.get(topic) ?? []);
      expect(shared.map((partitions) => partitions.length).sort()).toEqual([6, 6]);
      // The first member never held nothing: it went from 12 to 6, without an empty generation in between.
      expect(seen.includes(0)).toBe(false);
    } finally {
      await secondStream.close();
      await firstStream.close();
      await second.close();
      await first.close();
    }
  });
});
