// Compares kafkajs, @platformatic/kafka and @confluentinc/kafka-javascript side by side on the
// platform's real records, on every Node version given, in repeated rounds:
//   npm run bench:kafka-clients -- [--rounds 3] [--seconds 6] [--warmup 2] [--source 300000]
//                                  [--rate 500] [--clients kafkajs,platformatic,confluent]
// The local stack must be up (`npm run stack -- up`); see packages/kafka/bench/README.md.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCodec } from '@inventory/codec';
import { InventoryError, waitFor } from '@inventory/core';
import { createProducer, singleBrokerDurability, topicConfig, topicNames, topicSpec } from '@inventory/kafka';
import { stackEndpoints, testKafka, uniqueTopic, withAdmin } from '@inventory/testkit';
import { type ClientName, clientNames } from './clients/types.ts';
import { type ChildPlan, type ChildResult, type ProduceCase, resultPrefix } from './plan.ts';
import { PoolCursor, recordPool } from './records.ts';
import { formatSpread, markdownTable, spread } from './stats.ts';

const repoRoot = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    source: { type: 'string', default: '300000' },
    rate: { type: 'string', default: '200' },
    pool: { type: 'string', default: '50000' },
    clients: { type: 'string', default: clientNames.join(',') },
    nodes: { type: 'string', default: '' },
  },
});

const positive = (name: keyof typeof args) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value <= 0)
    throw new InventoryError('USAGE', `--${name} must be a positive integer, got ${args[name]}`);
  return value;
};
const rounds = positive('rounds');
const seconds = positive('seconds');
const warmupSeconds = positive('warmup');
const sourceCount = positive('source');
const rate = positive('rate');
const poolSize = positive('pool');
const clients = (args.clients as string).split(',').map((name) => {
  if (!(clientNames as readonly string[]).includes(name))
    throw new InventoryError('USAGE', `--clients: unknown client ${name} (known: ${clientNames.join(', ')})`);
  return name as ClientName;
});

/** Node binaries by version: this one, and those given (KAFKA_BENCH_NODES, set by the bench script). */
const nodes = new Map<string, string>([[process.version, process.execPath]]);
for (const binary of ((args.nodes as string) || process.env.KAFKA_BENCH_NODES || '')
  .split(',')
  .filter(Boolean)) {
  const version = await childOutput(binary, ['--version']);
  nodes.set(version.trim(), binary);
}

const produceCases = [
  { batch: 1, concurrency: 32 },
  { batch: 100, concurrency: 16 },
  { batch: 1000, concurrency: 4 },
];
const warmupCount = 24_000;

function childOutput(binary: string, argv: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(binary, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', fail);
    child.on('close', () => done(out));
  });
}

const eventsConfig = Object.entries(topicConfig(topicSpec(topicNames.events), singleBrokerDurability)).map(
  ([name, value]) => ({
    name,
    value,
  }),
);

async function createTopics(names: string[]): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.createTopics({
      waitForLeaders: false,
      topics: names.map((topic) => ({
        topic,
        numPartitions: 12,
        replicationFactor: 1,
        configEntries: eventsConfig,
      })),
    });
    // kafkajs' own waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION while the metadata catches up.
    await waitFor(
      async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: names });
        return topics.every((t) => t.partitions.length === 12 && t.partitions.every((p) => p.leader >= 0));
      },
      { description: `leaders of ${names.join(', ')}`, timeoutMs: 60_000, intervalMs: 100 },
    );
  });
}

/** Removes a case's topics; one left behind (the broker refused) is only disk, so it is reported, not fatal. */
async function deleteTopics(names: string[]): Promise<void> {
  await withAdmin((admin) => admin.deleteTopics({ topics: names })).catch((error: unknown) =>
    console.warn(
      `topics not deleted (${names.join(', ')}): ${error instanceof Error ? error.message : error}`,
    ),
  );
}

async function recordsIn(topic: string): Promise<number> {
  return withAdmin(async (admin) =>
    (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0),
  );
}

/** Fills a topic once with the pool's records (kafkajs), so every client reads the same log. */
async function fill(topic: string, count: number, cursor: PoolCursor): Promise<void> {
  const producer = createProducer(testKafka());
  await producer.connect();
  for (let done = 0; done < count; done += 4_000) {
    await Promise.all(
      [0, 1, 2, 3].map((k) => {
        const size = Math.min(1_000, count - done - k * 1_000);
        if (size <= 0) return undefined;
        return producer.send({ topic, acks: -1, messages: cursor.take(size) });
      }),
    );
  }
  await producer.disconnect();
}

interface Outcome {
  client: ClientName;
  node: string;
  result?: ChildResult;
  failure?: string;
}

async function measure(
  client: ClientName,
  node: string,
  binary: string,
  base: Omit<ChildPlan, 'client' | 'produce' | 'latency'>,
): Promise<Outcome> {
  const produce: ProduceCase[] = produceCases.map((c) => ({
    ...c,
    topic: uniqueTopic(`kbench-produce-${c.batch}`),
  }));
  const latencyTopic = uniqueTopic('kbench-latency');
  const topics = [...produce.map((c) => c.topic), latencyTopic];
  await createTopics(topics);
  const plan: ChildPlan = { ...base, client, produce, latency: { topic: latencyTopic, rate } };
  const major = node.slice(1).split('.')[0];
  try {
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((done, fail) => {
      const child = spawn(
        binary,
        ['--import', 'tsx', join(repoRoot, 'packages/kafka/bench/src/measure.ts'), JSON.stringify(plan)],
        {
          cwd: repoRoot,
          env: {
            ...process.env,
            KAFKA_CLIENTS_TREE: join(repoRoot, '.stack', 'kafka-clients', `node${major}`),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        process.stderr.write(chunk);
      });
      child.on('error', fail);
      child.on('close', (exit) => done({ code: exit, stdout: out, stderr: err }));
    });
    const line = stdout.split('\n').find((l) => l.startsWith(resultPrefix));
    if (code === 0 && line) {
      const result = JSON.parse(line.slice(resultPrefix.length)) as ChildResult;
      for (const [i, c] of produce.entries()) {
        const r = result.produce[i];
        if (r) r.landed = await recordsIn(c.topic);
      }
      return { client, node, result };
    }
    const reason = stderr.split('\n').find((l) => /Error\b|error:/.test(l)) ?? `exit ${code}`;
    return { client, node, failure: reason.trim() };
  } finally {
    await deleteTopics(topics);
  }
}

const endpoints = stackEndpoints();
const registryUrl = endpoints.SCHEMA_REGISTRY_URL;
if (!registryUrl) throw new InventoryError('STARTUP_CHECK_FAILED', 'the stack runs no schema registry');

const load0 = loadavg();
const started = new Date();
const codec = createCodec({ registryUrl });
const cursor = new PoolCursor(await recordPool(codec, poolSize));
const sourceTopic = uniqueTopic('kbench-source');
const warmupTopic = uniqueTopic('kbench-warmup');
await createTopics([sourceTopic, warmupTopic]);
console.log(`filling ${sourceTopic} with ${sourceCount} records and ${warmupTopic} with ${warmupCount} ...`);
await fill(sourceTopic, sourceCount, cursor);
await fill(warmupTopic, warmupCount, cursor);

const base = {
  registryUrl,
  poolSize,
  warmupSeconds,
  seconds,
  consume: { topic: sourceTopic, count: sourceCount, warmupTopic, warmupCount },
};
const combos = [...nodes].flatMap(([node, binary]) => clients.map((client) => ({ client, node, binary })));
const outcomes: Outcome[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    // Each round starts with another combination, so drift of the machine's load spreads over all.
    const order = combos.map((_, i) => combos[(i + round) % combos.length] as (typeof combos)[number]);
    for (const { client, node, binary } of order) {
      console.log(`round ${round + 1}/${rounds}: ${client} on Node ${node}`);
      outcomes.push(await measure(client, node, binary, base));
    }
  }
} finally {
  await deleteTopics([sourceTopic, warmupTopic]);
}

const versionOf = (tree: string, name: string) => {
  try {
    return (
      JSON.parse(readFileSync(join(tree, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return '?';
  }
};
const tree = join(repoRoot, '.stack', 'kafka-clients', `node${process.versions.node.split('.')[0]}`);
const labels: Record<ClientName, string> = {
  kafkajs: 'kafkajs 2.2.4',
  platformatic: `@platformatic/kafka ${versionOf(tree, '@platformatic/kafka')}`,
  confluent: `@confluentinc/kafka-javascript ${versionOf(tree, '@confluentinc/kafka-javascript')} (KafkaJS API)`,
};

const throughputRows: string[][] = [];
const cpuRows: string[][] = [];
const failures: string[] = [];
for (const { client, node } of combos) {
  const mine = outcomes.filter((o) => o.client === client && o.node === node);
  const results = mine.flatMap((o) => (o.result ? [o.result] : []));
  for (const o of mine) if (o.failure) failures.push(`${labels[client]} on Node ${node}: ${o.failure}`);
  for (const r of results)
    for (const p of r.produce)
      if (p.landed !== p.acknowledged)
        failures.push(
          `${labels[client]} on Node ${node}, produce ${p.batch} x ${p.concurrency}: ${p.acknowledged} records acknowledged, ${p.landed} in the topic`,
        );
  if (results.length === 0) {
    throughputRows.push([labels[client], node, 'does not run (below)', '', '', '', '', '']);
    continue;
  }
  const produced = (i: number, key: 'recordsPerSecond' | 'cpuUsPerRecord', decimals = 0) =>
    formatSpread(spread(results.map((r) => r.produce[i]?.[key] ?? Number.NaN)), decimals);
  throughputRows.push([
    labels[client],
    node,
    produced(0, 'recordsPerSecond'),
    produced(1, 'recordsPerSecond'),
    produced(2, 'recordsPerSecond'),
    formatSpread(spread(results.map((r) => r.consume.recordsPerSecond))),
    formatSpread(spread(results.map((r) => r.latency.p50Ms)), 1),
    formatSpread(spread(results.map((r) => r.latency.p99Ms)), 1),
  ]);
  cpuRows.push([
    labels[client],
    node,
    produced(0, 'cpuUsPerRecord', 1),
    produced(1, 'cpuUsPerRecord', 1),
    produced(2, 'cpuUsPerRecord', 1),
    formatSpread(spread(results.map((r) => r.consume.cpuUsPerRecord)), 1),
    formatSpread(spread(results.map((r) => r.latency.cpuUsPerRecord)), 1),
  ]);
}

const load1 = loadavg();
const report = [
  '',
  `Kafka clients, ${started.toISOString()}: ${cpus().length} cores, load average ${load0[0]?.toFixed(1)} at the start and ${load1[0]?.toFixed(1)} at the end (other work shares the machine).`,
  `${rounds} rounds; median (min-max) over the rounds. Produce: ${seconds} s per case after ${warmupSeconds} s of warm-up; consume: ${sourceCount} records of 12 partitions, from the first record to the last, Avro decoded; end to end: single records at ${rate}/s for ${seconds} s after ${warmupSeconds} s.`,
  '',
  markdownTable(
    [
      'client',
      'Node',
      'produce 1 x 32, rec/s',
      'produce 100 x 16, rec/s',
      'produce 1000 x 4, rec/s',
      'consume, rec/s',
      'e2e p50 ms',
      'e2e p99 ms',
    ],
    throughputRows,
  ),
  '',
  'CPU time of the client process per record (microseconds; all threads):',
  '',
  markdownTable(
    ['client', 'Node', 'produce 1 x 32', 'produce 100 x 16', 'produce 1000 x 4', 'consume', 'e2e'],
    cpuRows,
  ),
  ...(failures.length > 0
    ? ['', 'Did not run, or lost records:', ...[...new Set(failures)].map((f) => `- ${f}`)]
    : ['', 'Every record acknowledged in a produce case was in its topic, no more and no fewer.']),
  '',
].join('\n');
console.log(report);
const out = join(repoRoot, '.stack', 'bench');
mkdirSync(out, { recursive: true });
const file = join(out, `kafka-clients-${started.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify({ started, rounds, seconds, warmupSeconds, sourceCount, rate, outcomes }, null, 2),
);
console.log(`raw results: ${file}`);
