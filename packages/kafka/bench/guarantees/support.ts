import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@inventory/core';
import { collect, stackEndpoints, stackHome, testKafka, withAdmin } from '@inventory/testkit';
import { expect } from 'vitest';

export const brokers = (): string[] => stackEndpoints().KAFKA_BROKERS.split(',');

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
        const kafkajs = (await import('kafkajs')).default;
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
