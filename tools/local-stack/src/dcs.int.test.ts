import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@inventory/core';
import { mirrorTestTopicPrefix, readToEnd } from '@inventory/kafka';
import {
  createNamedTopic,
  processAlive,
  scanStackLogs,
  stackEndpoints,
  stackHome,
  stackPartPid,
  stackUp,
  testKafka,
  uniqueName,
  withAdmin,
} from '@inventory/testkit';
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';

/**
 * The stack's three data centres (`up --dcs 3`, as `npm test` starts it: a Kafka each, and
 * MirrorMaker 2 between them): each one's topics arrive in the other two as `<dc>.<topic>`, a
 * mirror killed with SIGKILL and started again by `up` leaves every copy exact, and the log
 * scan reads every data centre's logs for every data centre's secrets. On the tests' own
 * stack: starting three more brokers and a mirror for this alone costs minutes of two cores.
 */

/** The last value of every key of a topic (what a compacted topic's reader sees). */
async function latest(kafka: Kafka, topic: string): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  await readToEnd(
    kafka,
    topic,
    (record) => {
      values.set(record.key?.toString() ?? '', record.value?.toString() ?? '');
    },
    { groupPrefix: 'dcs-test-read' },
  );
  return values;
}

async function publish(kafka: Kafka, topic: string, records: [string, string][]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: records.map(([key, value]) => ({ key, value })) });
  } finally {
    await producer.disconnect();
  }
}

describe('three data centres with MirrorMaker 2 (npm run stack -- up --dcs 3)', () => {
  it('mirrors each data centre state into the other two, exact after the mirror is killed and restarted', async () => {
    const [dc1, dc2, dc3] = ['dc1', 'dc2', 'dc3'].map((dc) => testKafka(undefined, undefined, dc)) as [
      Kafka,
      Kafka,
      Kafka,
    ];
    // Each data centre its own CA and passwords: another site's secrets would not do.
    expect(stackEndpoints('dc2').KAFKA_SASL_PASSWORD).not.toBe(stackEndpoints().KAFKA_SASL_PASSWORD);
    expect(stackEndpoints('dc3').KAFKA_SASL_PASSWORD).not.toBe(stackEndpoints('dc2').KAFKA_SASL_PASSWORD);

    // A compacted topic of the mirror's test prefix in dc1 and in dc2 (the mirror copies those).
    const topic = `${mirrorTestTopicPrefix}${uniqueName('dcs')}.v1`;
    for (const dc of ['dc1', 'dc2']) await createNamedTopic(topic, 3, { 'cleanup.policy': 'compact' }, dc);
    const wave = (dc: string, from: number, to: number, round: number): [string, string][] =>
      Array.from({ length: to - from }, (_, i) => [`${dc}-key-${from + i}`, `${dc}:${from + i}:r${round}`]);
    await publish(dc1, topic, wave('dc1', 0, 100, 1));
    await publish(dc2, topic, wave('dc2', 0, 50, 1));
    // Exact: every key with its last value, nothing else (a record mirrored twice after the
    // kill is the same record again, which compaction and every reader take as one).
    const kafkaOf = { dc1, dc2, dc3 };
    const expectCopy = async (dc: keyof typeof kafkaOf, copy: string, expected: [string, string][]) => {
      let seen = new Map<string, string>();
      const differing = () => expected.filter(([key, value]) => seen.get(key) !== value).length;
      await waitFor(
        async () => {
          const topics = await withAdmin((admin) => admin.listTopics(), dc);
          if (!topics.includes(copy)) return false;
          seen = await latest(kafkaOf[dc], copy);
          return differing() === 0;
        },
        {
          description: () => `${copy}: ${differing()} of ${expected.length} keys not yet as written`,
          timeoutMs: 120_000,
          intervalMs: 1_000,
        },
      );
      expect(seen).toEqual(new Map(expected));
    };
    await expectCopy('dc2', `dc1.${topic}`, wave('dc1', 0, 100, 1));
    await expectCopy('dc3', `dc1.${topic}`, wave('dc1', 0, 100, 1));
    await expectCopy('dc1', `dc2.${topic}`, wave('dc2', 0, 50, 1));
    await expectCopy('dc3', `dc2.${topic}`, wave('dc2', 0, 50, 1));

    // Offset syncs (in the target), checkpoints, and heartbeats: its own, and dc1's mirrored.
    expect(await withAdmin((admin) => admin.listTopics(), 'dc2')).toEqual(
      expect.arrayContaining([
        'mm2-offset-syncs.dc1.internal',
        'dc1.checkpoints.internal',
        'heartbeats',
        'dc1.heartbeats',
      ]),
    );

    // SIGKILL, new values for the old keys and new keys meanwhile, then `up` starts it again.
    const pid = stackPartPid('mirror-maker');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !processAlive(pid), { description: 'the mirror to die', timeoutMs: 10_000 });
    await publish(dc1, topic, [...wave('dc1', 50, 100, 2), ...wave('dc1', 100, 150, 2)]);
    const again = stackUp({ dataCentres: 3 });
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/mirror-maker: up at/);
    expect(stackPartPid('mirror-maker')).not.toBe(pid);
    const after = [...wave('dc1', 0, 50, 1), ...wave('dc1', 50, 150, 2)];
    await expectCopy('dc2', `dc1.${topic}`, after);
    await expectCopy('dc3', `dc1.${topic}`, after);

    // The log scan reads every data centre's logs for every data centre's secrets.
    const clean = scanStackLogs();
    expect(clean.status, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/log files \(.* MB\) scanned for \d+ secrets: none logged/);
    const planted = join(stackHome(), 'dc3', 'logs', `${uniqueName('planted')}.log`);
    writeFileSync(planted, `a line\nconnecting with ${stackEndpoints('dc3').KAFKA_SASL_PASSWORD}\n`);
    try {
      const found = scanStackLogs();
      expect(found.status).toBe(1);
      expect(`${found.stdout}${found.stderr}`).toContain(`the secret dc3:kafka`);
      expect(`${found.stdout}${found.stderr}`).toContain(`is in ${planted}, line 2`);
    } finally {
      rmSync(planted);
    }
  }, 300_000);
});
