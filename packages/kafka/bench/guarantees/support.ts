import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@inventory/core';
import { createProducer } from '@inventory/kafka';
import {
  collect,
  createTestTopic,
  stackHome,
  stackKafkaOptions,
  testKafka,
  withAdmin,
} from '@inventory/testkit';
import kafkajs from 'kafkajs';
import { expect } from 'vitest';

/** The stack's broker as its administrator, for each compared client (src/clients/reach.ts). */
export const connection = () => stackKafkaOptions();

/** Skus as the platform spells them, plus a few unusual ones (lengths 1-3 hit murmur2's tail bytes). */
export const skuKeys = [
  ...Array.from({ length: 1_000 }, (_, i) => `SKU-${String(i * 37).padStart(6, '0')}`),
  'A',
  'AB',
  'ABC',
  'SKU-ÄÖÜ-1',
  '4006381333931',
];

/**
 * The partition the Java producer gives each key: Kafka's own BuiltInPartitioner from the
 * stack's kafka-clients jar (the reference the query API's murmur2 must agree with).
 */
export function javaPartitions(keys: string[], partitions: number): number[] {
  const lib = process.env.INVENTORY_STACK_LIB ?? join(stackHome(), 'lib');
  const jars = readdirSync(join(lib, 'kafka')).filter((f) => f.endsWith('.jar'));
  const classpath = jars.map((jar) => join(lib, 'kafka', jar)).join(':');
  const source = fileURLToPath(new URL('./JavaPartitions.java', import.meta.url));
  const run = spawnSync('java', ['-cp', classpath, source, String(partitions), ...keys], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`java failed: ${run.stderr}`);
  return run.stdout.trim().split('\n').map(Number);
}

export interface SeenRecord {
  key: string;
  value: string;
  partition: number;
  offset: number;
  producerId: string;
  firstSequence: number;
  inTransaction: boolean;
}

/**
 * Reads `count` records of a topic with a neutral reader (kafkajs, a fresh group) and what
 * their record batches say: producer id, first sequence, transactional or not.
 */
export async function readBack(topic: string, count: number, readUncommitted = false): Promise<SeenRecord[]> {
  const collected = await collect(testKafka(), topic, { readUncommitted });
  try {
    const payloads = await collected.waitForCount(count, 60_000);
    return payloads.map(({ partition, message }) => {
      const context = (message as { batchContext?: Record<string, unknown> }).batchContext ?? {};
      return {
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
        partition,
        offset: Number(message.offset),
        producerId: String(context.producerId ?? '-1'),
        firstSequence: Number(context.firstSequence ?? -1),
        inTransaction: Boolean(context.inTransaction),
      };
    });
  } finally {
    await collected.stop();
  }
}

/**
 * What an idempotent producer leaves in the log: one producer id, each partition's batches
 * numbered by sequence without gaps or repeats, every record once.
 */
export function expectIdempotentLog(seen: SeenRecord[], sentValues: string[]): void {
  expect(seen.map((r) => r.value).sort()).toEqual([...sentValues].sort());
  const producerIds = new Set(seen.map((r) => r.producerId));
  expect(producerIds.size).toBe(1);
  expect([...producerIds][0]).not.toBe('-1');
  const byPartition = new Map<number, SeenRecord[]>();
  for (const r of seen) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
  for (const records of byPartition.values()) {
    records.sort((a, b) => a.offset - b.offset);
    // A batch's first sequence is the count of this producer's records before it in the partition.
    const batchStarts = records.filter(
      (r, i) => i === 0 || r.firstSequence !== records[i - 1]?.firstSequence,
    );
    for (const start of batchStarts) {
      expect(start.firstSequence).toBe(records.indexOf(start));
    }
  }
}

/** One send of a client under test: records keyed by sku to a topic, resolved once acknowledged. */
export type SendRecords = (topic: string, records: { key: string; value: string }[]) => Promise<void>;

/**
 * The two producer tests every client passes on a fresh 12-partition topic: 300 records in 3
 * sends of 100, then 200 single-record sends at once (as concurrent ingest requests make
 * them). Each time: one producer id, gap-free sequences, every acknowledged record once.
 */
export async function expectIdempotentProducer(
  name: string,
  open: () => Promise<{ send: SendRecords; close(): Promise<void> }>,
): Promise<void> {
  const batched = await createTestTopic(`${name}-idem`, 12);
  const first = await open();
  const values = Array.from({ length: 300 }, (_, i) => `v-${i}`);
  for (let i = 0; i < 3; i++) {
    const slice = values.slice(i * 100, i * 100 + 100);
    await first.send(
      batched,
      slice.map((value, j) => ({ key: skuKeys[j] as string, value })),
    );
  }
  await first.close();
  expectIdempotentLog(await readBack(batched, 300), values);

  const concurrent = await createTestTopic(`${name}-concurrent`, 12);
  const second = await open();
  const singles = Array.from({ length: 200 }, (_, i) => `c-${i}`);
  await Promise.all(
    singles.map((value, i) => second.send(concurrent, [{ key: skuKeys[i] as string, value }])),
  );
  await second.close();
  expect(await readTopicRecords(concurrent)).toBe(200);
  expectIdempotentLog(await readBack(concurrent, 200), singles);
}

/** Partition sets of each member of a group, once the group is stable (kafkajs admin). */
export async function groupAssignments(
  groupId: string,
  members: number,
): Promise<Map<string, Map<string, number[]>>> {
  return waitFor(
    () =>
      withAdmin(async (admin) => {
        const { groups } = await admin.describeGroups([groupId]);
        const group = groups[0];
        if (group?.state !== 'Stable' || group.members.length !== members) return undefined;
        const result = new Map<string, Map<string, number[]>>();
        for (const member of group.members) {
          const decoded = kafkajs.AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
          const byTopic = new Map(
            Object.entries(decoded?.assignment ?? {}).map(([topic, partitions]) => [
              topic,
              [...partitions].sort((a, b) => a - b),
            ]),
          );
          result.set(member.memberId, byTopic);
        }
        return result;
      }),
    { description: `group ${groupId} stable with ${members} members`, timeoutMs: 90_000, intervalMs: 250 },
  );
}

/** Each member holds the same partitions of both topics, and together all of them. */
export function expectCoPartitioned(
  assignments: Map<string, Map<string, number[]>>,
  topics: [string, string],
  partitions: number,
): void {
  const all: number[] = [];
  for (const byTopic of assignments.values()) {
    const first = byTopic.get(topics[0]) ?? [];
    expect(byTopic.get(topics[1]) ?? []).toEqual(first);
    all.push(...first);
  }
  expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: partitions }, (_, i) => i));
}

/**
 * What a consumer of kafkajs and of the native client's KafkaJS API both offer (kafkajs
 * takes `fromBeginning` per subscription: its members are wrapped to subscribe so).
 */
export interface KafkaJsLikeMember {
  connect(): Promise<void>;
  subscribe(subscription: { topics: string[] }): Promise<void>;
  run(handlers: {
    eachBatchAutoResolve?: boolean;
    eachBatch?: (payload: BatchPayloadLike) => Promise<void>;
    eachMessage?: (payload: { partition: number; message: { value: Buffer | null } }) => Promise<void>;
  }): Promise<void>;
  pause(topics: { topic: string; partitions: number[] }[]): void;
  resume(topics: { topic: string; partitions: number[] }[]): void;
  seek(position: { topic: string; partition: number; offset: string }): void;
  disconnect(): Promise<void>;
}

/** The resolution test: records 0-19 of one partition, record 9 failing once inside a batch. */
export async function expectBatchResumedAtNine(
  topic: string,
  groupId: string,
  consumer: KafkaJsLikeMember,
): Promise<void> {
  await seedNumbered(topic, 20);
  const delivered: number[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({ eachBatchAutoResolve: false, eachBatch: failingOnceAtNine(delivered) });
  try {
    await expectResumedAtNine(delivered, groupId, topic);
  } finally {
    await consumer.disconnect();
  }
}

/** The pause-and-seek test through a consumer of the KafkaJS API, on a 2-partition topic. */
export async function expectMemberPausesAndSeeks(
  topic: string,
  consumer: KafkaJsLikeMember,
  send: (value: string, partition: number) => Promise<void>,
): Promise<void> {
  const delivered: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      delivered.push(`${partition}:${message.value?.toString()}`);
    },
  });
  try {
    await expectPauseAndSeek({
      delivered,
      send,
      pausePartitionZero: () => consumer.pause([{ topic, partitions: [0] }]),
      resumePartitionZero: () => consumer.resume([{ topic, partitions: [0] }]),
      seekPartitionZeroToStart: () => consumer.seek({ topic, partition: 0, offset: '0' }),
    });
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Two members of one group subscribed to two fresh 12-partition topics: each must hold the
 * same partitions of both (what the aggregator's commands and events need).
 */
export async function expectMembersCoPartitioned(
  prefix: string,
  groupId: string,
  member: () => KafkaJsLikeMember,
): Promise<void> {
  const topics: [string, string] = [
    await createTestTopic(`${prefix}-a`, 12),
    await createTestTopic(`${prefix}-b`, 12),
  ];
  const members = [member(), member()];
  for (const m of members) {
    await m.connect();
    await m.subscribe({ topics });
    await m.run({ eachMessage: async () => {} });
  }
  try {
    expectCoPartitioned(await groupAssignments(groupId, 2), topics, 12);
  } finally {
    for (const m of members) await m.disconnect();
  }
}

/** What an `eachBatch` payload of kafkajs and of the native client's KafkaJS API both offer. */
export interface BatchPayloadLike {
  batch: { messages: { offset: string }[] };
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
}

/**
 * The `eachBatch` of the resolution test over records 0-19 of one partition: each record is
 * resolved once handled; record 9 fails once, before it is resolved.
 */
export function failingOnceAtNine(delivered: number[]): (payload: BatchPayloadLike) => Promise<void> {
  let failed = false;
  return async ({ batch, resolveOffset, heartbeat }) => {
    for (const message of batch.messages) {
      delivered.push(Number(message.offset));
      if (!failed && message.offset === '9') {
        await heartbeat();
        failed = true;
        throw new Error('record 9 fails once, the records before it are resolved');
      }
      resolveOffset(message.offset);
    }
  };
}

/** 0-8 handled once; the failed record 9 and everything after it delivered again. */
export const resumedAtNine = [
  ...Array.from({ length: 10 }, (_, i) => i),
  ...Array.from({ length: 11 }, (_, i) => 9 + i),
];

export async function expectResumedAtNine(
  delivered: number[],
  groupId: string,
  topic: string,
): Promise<void> {
  await waitFor(() => delivered.includes(19), { description: 'offset 19 delivered', timeoutMs: 60_000 });
  expect(delivered).toEqual(resumedAtNine);
  await waitFor(
    () =>
      withAdmin(async (admin) => {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return offsets?.partitions[0]?.offset === '20';
      }),
    { description: 'the group to commit offset 20', timeoutMs: 30_000 },
  );
}

/** The transactions test's log: the committed and the successor's records, in transactions, in partition 2. */
export async function expectOnlyCommittedTransactions(topic: string): Promise<void> {
  const committed = await readBack(topic, 6);
  expect(committed.map((r) => r.value)).toEqual([
    'committed-0',
    'committed-1',
    'committed-2',
    'final-0',
    'final-1',
    'final-2',
  ]);
  expect(committed.every((r) => r.inTransaction && r.partition === 2)).toBe(true);
}

/** A running consumer of a 2-partition topic as the pause-and-seek scenario drives it. */
export interface PausableConsumer {
  delivered: string[];
  send(value: string, partition: number): Promise<void>;
  pausePartitionZero(): void;
  resumePartitionZero(): void;
  seekPartitionZeroToStart(): void;
}

export async function expectPauseAndSeek(c: PausableConsumer): Promise<void> {
  const { delivered } = c;
  await c.send('first', 0);
  await waitFor(() => delivered.includes('0:first'), { description: 'first record', timeoutMs: 60_000 });
  c.pausePartitionZero();
  await c.send('held', 0);
  await c.send('marker', 1);
  // The marker was written after the held record: once it arrives, partition 0 was skipped.
  await waitFor(() => delivered.includes('1:marker'), { description: 'the marker', timeoutMs: 30_000 });
  expect(delivered).not.toContain('0:held');
  c.resumePartitionZero();
  await waitFor(() => delivered.includes('0:held'), { description: 'the held record', timeoutMs: 30_000 });
  c.seekPartitionZeroToStart();
  await waitFor(() => delivered.filter((d) => d === '0:first').length === 2, {
    description: 'the first record again after seeking to 0',
    timeoutMs: 30_000,
  });
}

/** Records "0" to "<count - 1>" in partition 0 of a one-partition topic, written by a neutral producer. */
export async function seedNumbered(topic: string, count: number): Promise<void> {
  const producer = createProducer(testKafka());
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({ value: String(i) })),
  });
  await producer.disconnect();
}
