import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@inventory/core';
import { createKafka, kafkaClientOptionsFor, readToEnd, topicNames } from '@inventory/kafka';
import { stackHome } from '@inventory/testkit';
import type { Kafka } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './config.ts';
import { readEndpoints, type StackEndpoints } from './endpoints.ts';
import { processesMentioning } from './proc.ts';

/**
 * Three data centres of the local stack in a home of their own (a Kafka and a Redis each, and
 * MirrorMaker 2 between them), driven through the CLI with `--dcs 3`: each one's state
 * arrives in the other two as `<dc>.<topic>`, and a mirror killed with SIGKILL and started
 * again leaves every copy exact.
 */
const offset = 900;
const env = (home: string) => ({
  ...process.env,
  INVENTORY_STACK_HOME: home,
  INVENTORY_STACK_LIB: join(stackHome(), 'lib'),
  INVENTORY_STACK_SKIP: 'postgres,rabbitmq,s3,registry,connect,prometheus',
  INVENTORY_STACK_REDIS_CLUSTER: 'false',
  INVENTORY_STACK_KAFKA_PORT: String(19092 + offset),
  INVENTORY_STACK_KAFKA_CONTROLLER_PORT: String(19093 + offset),
  INVENTORY_STACK_REDIS_PORT: String(19379 + offset),
  INVENTORY_STACK_DC_PORT_STEP: '20',
});

function stack(home: string, ...args: string[]) {
  const result = spawnSync(
    join(repoRoot, 'node_modules/.bin/tsx'),
    [join(repoRoot, 'tools/local-stack/src/cli.ts'), ...args],
    { env: env(home), encoding: 'utf8', timeout: 300_000 },
  );
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

const kafkaOf = (endpoints: StackEndpoints): Kafka =>
  createKafka({
    clientId: 'dcs-test',
    ...kafkaClientOptionsFor(endpoints as Parameters<typeof kafkaClientOptionsFor>[0]),
  });

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

async function topicsOf(kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
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
  const home = mkdtempSync(join(tmpdir(), 'inventory-dcs-'));
  afterAll(() => {
    stack(home, 'down');
  });

  it('mirrors each data centre state into the other two, exact after the mirror is killed and restarted', async () => {
    const up = stack(home, 'up', '--dcs', '3');
    expect(up.code, up.out).toBe(0);
    expect(up.out).toMatch(/\[stack dc2\] kafka: up at/);
    expect(up.out).toMatch(/\[stack dc3\] redis: up at/);
    expect(up.out).toMatch(/mirror-maker: up at/);
    const dcs = [home, join(home, 'dc2'), join(home, 'dc3')].map((h) => kafkaOf(readEndpoints(h)));
    const [dc1, dc2, dc3] = dcs as [Kafka, Kafka, Kafka];
    // Each data centre its own CA and passwords: another site's secrets would not do.
    expect(readEndpoints(join(home, 'dc2')).KAFKA_SASL_PASSWORD).not.toBe(
      readEndpoints(home).KAFKA_SASL_PASSWORD,
    );

    const wave = (dc: string, from: number, to: number, round: number): [string, string][] =>
      Array.from({ length: to - from }, (_, i) => [`${dc}-key-${from + i}`, `${dc}:${from + i}:r${round}`]);
    await publish(dc1, topicNames.stock, wave('dc1', 0, 100, 1));
    await publish(dc2, topicNames.stock, wave('dc2', 0, 50, 1));
    // Exact: every key with its last value, nothing else (a record mirrored twice after the
    // kill is the same record again, which compaction and every reader take as one).
    const expectCopy = async (kafka: Kafka, topic: string, expected: [string, string][]) => {
      let seen = new Map<string, string>();
      const differing = () => expected.filter(([key, value]) => seen.get(key) !== value).length;
      await waitFor(
        async () => {
          const topics = await topicsOf(kafka);
          if (!topics.includes(topic)) return false;
          seen = await latest(kafka, topic);
          return differing() === 0;
        },
        {
          description: () => `${topic}: ${differing()} of ${expected.length} keys not yet as written`,
          timeoutMs: 120_000,
          intervalMs: 1_000,
        },
      );
      expect(seen).toEqual(new Map(expected));
    };
    await expectCopy(dc2, `dc1.${topicNames.stock}`, wave('dc1', 0, 100, 1));
    await expectCopy(dc3, `dc1.${topicNames.stock}`, wave('dc1', 0, 100, 1));
    await expectCopy(dc1, `dc2.${topicNames.stock}`, wave('dc2', 0, 50, 1));
    await expectCopy(dc3, `dc2.${topicNames.stock}`, wave('dc2', 0, 50, 1));

    // Offset syncs (in the target), checkpoints, and heartbeats: its own, and dc1's mirrored.
    const topicsOfDc2 = await topicsOf(dc2);
    expect(topicsOfDc2).toEqual(
      expect.arrayContaining([
        'mm2-offset-syncs.dc1.internal',
        'dc1.checkpoints.internal',
        'heartbeats',
        'dc1.heartbeats',
      ]),
    );

    // SIGKILL, new values for the old keys and new keys meanwhile, then `up` starts it again.
    const pid = Number(readFileSync(join(home, 'run', 'mirror-maker.pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    await publish(dc1, topicNames.stock, [...wave('dc1', 50, 100, 2), ...wave('dc1', 100, 150, 2)]);
    const again = stack(home, 'up', '--dcs', '3');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/mirror-maker: up at/);
    const after = [...wave('dc1', 0, 50, 1), ...wave('dc1', 50, 150, 2)];
    await expectCopy(dc2, `dc1.${topicNames.stock}`, after);
    await expectCopy(dc3, `dc1.${topicNames.stock}`, after);

    // The log scan reads every data centre's logs for every data centre's secrets.
    const clean = stack(home, 'scan-logs');
    expect(clean.code, clean.out).toBe(0);
    expect(clean.out).toMatch(/log files \(.* MB\) scanned for \d+ secrets: none logged/);
    const dc3Password = readEndpoints(join(home, 'dc3')).KAFKA_SASL_PASSWORD as string;
    writeFileSync(join(home, 'dc3', 'logs', 'planted.log'), `a line\nconnecting with ${dc3Password}\n`);
    const found = stack(home, 'scan-logs');
    expect(found.code).toBe(1);
    expect(found.out).toMatch(
      new RegExp(`the secret dc3:kafka \\S+ is in ${join(home, 'dc3', 'logs', 'planted.log')}, line 2`),
    );

    const down = stack(home, 'down');
    expect(down.code, down.out).toBe(0);
    expect(processesMentioning(home)).toEqual([]);
  }, 300_000);
});
