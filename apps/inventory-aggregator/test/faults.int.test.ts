import { waitFor } from '@inventory/core';
import { platformEvent } from '@inventory/domain';
import { createProducer } from '@inventory/kafka';
import {
  brokerServing,
  collect,
  keysMatching,
  processAlive,
  replaceTopicConfig,
  stackPartPid,
  stackUp,
  testKafka,
  testRedis,
} from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createWorld,
  expectCompactedExact,
  fileAggregators,
  generateEvents,
  lagByPartition,
  lagReaches,
  produceEvents,
  progress,
  reachProgress,
  readModel,
  reference,
  waitDrained,
} from './support.ts';

/**
 * Faults of what the aggregator writes to in Kafka: its publications refused, requests and
 * dead letters over the broker's limits, the broker restarted while it publishes (its Redis:
 * redis-faults.int.test.ts). Each ends with the read model and the compacted stock topic (its
 * last record per key, what compaction keeps) equal to the reference fold of the input.
 */
const { start } = fileAggregators();
afterAll(async () => {
  // Whatever happened, leave the stack's broker running for the tests that follow.
  if (!processAlive(stackPartPid('kafka'))) stackUp();
});

/** The stock topic's configuration, with one setting more (or none). */
const stockConfig = (extra: Record<string, string> = {}) => ({
  'cleanup.policy': 'compact',
  'retention.ms': '-1',
  ...extra,
});

describe('aggregator faults of its sinks', () => {
  const redis = testRedis();
  afterAll(() => redis.quit());

  it('publications refused by the broker for a while: the partitions hold their outbox, nothing is forgotten; a rebuild after it is exact', async () => {
    const world = await createWorld();
    const events = generateEvents(21_000, 21);
    await produceEvents(world, events.slice(0, 10_000));
    // Short steps and a short queue: a held partition keeps records queued and stops
    // fetching, so only the broker's end offsets can tell its lag.
    const aggregator = start({
      ...world,
      env: { ...world.env, AGG_MAX_STEP_EVENTS: '100', AGG_MAX_QUEUED_EVENTS: '200' },
    });
    await reachProgress(redis, world, 2_000, 'progress before the fault', [aggregator]);
    // Every batch of stock records is now too large for the topic (its transaction markers
    // still fit): each publication fails, and no retry of the same request can help.
    await replaceTopicConfig(world.stock, stockConfig({ 'max.message.bytes': '120' }));
    await produceEvents(world, events.slice(10_000, 20_000));
    await waitFor(async () => (await aggregator.metric('aggregator_publish_failures_total')) >= 3, {
      description: () => `publications to fail and be retried (output: ${aggregator.output().slice(-2000)})`,
      timeoutMs: 60_000,
    });
    // Held: each partition stops after the step whose outputs it could not publish.
    let seen = '';
    const held = await waitFor(
      async () => {
        const before = await progress(redis, world);
        const lags = await lagByPartition(aggregator);
        const after = await progress(redis, world);
        const lag = [...lags.values()].reduce((a, b) => a + b, 0);
        seen = `progress ${before} then ${after}, lag ${lag} over ${lags.size} partitions`;
        return before === after && lags.size === world.partitions && lag === 20_000 - after && after;
      },
      { description: () => `every partition held, with its lag (${seen})`, timeoutMs: 60_000 },
    );
    expect(held).toBeLessThan(20_000);
    // Records that arrive while the partitions hold are not fetched: the lag counts them.
    await produceEvents(world, events.slice(20_000));
    await lagReaches([aggregator], world, 21_000 - held);
    expect(await progress(redis, world)).toBe(held);
    await replaceTopicConfig(world.stock, stockConfig());
    const expected = reference(events);
    await waitDrained(redis, world, 90_000).catch((error) => {
      throw new Error(`${error.message}; output: ${aggregator.output().slice(-3000)}`);
    });
    expect((await readModel(redis, world)).onHand).toEqual(expected);
    await expectCompactedExact(world, expected);
    await lagReaches([aggregator], world, 0);
    // And what was published is all a rebuild needs: Redis wiped, state comes back exact.
    aggregator.child.kill('SIGKILL');
    await aggregator.exited;
    for (const key of await keysMatching(redis, `${world.prefix}:*`)) await redis.del(key);
    start(world);
    await waitDrained(redis, world);
    expect((await readModel(redis, world)).onHand).toEqual(expected);
  }, 300_000);

  it('a publication larger than a produce request may be: sent in several, one transaction, exact', async () => {
    const world = await createWorld();
    // A step's stock records of one partition (about 70 bytes each, a thousand of them)
    // are far over what the topic takes in one batch: sent whole, every publication would
    // be refused for good (MESSAGE_TOO_LARGE) and the partitions would hold.
    await replaceTopicConfig(world.stock, stockConfig({ 'max.message.bytes': '16384' }));
    world.env.AGG_MAX_REQUEST_BYTES = '8192';
    const t0 = Date.now() - 60_000;
    const events = Array.from({ length: 6_000 }, (_, i) =>
      platformEvent('LOADGEN', `${world.prefix}-count-${i}`, {
        type: 'COUNT',
        sku: `SKU-WIDE-${i}`,
        locationId: 'S-1',
        quantity: 1 + (i % 50),
        occurredAt: t0 + i,
      }),
    );
    await produceEvents(world, events);
    const aggregator = start(world);
    await waitDrained(redis, world, 120_000).catch((error) => {
      throw new Error(`${error.message}; output: ${aggregator.output().slice(-3000)}`);
    });
    const expected = reference(events);
    expect(expected.size).toBe(6_000);
    expect((await readModel(redis, world)).onHand).toEqual(expected);
    await expectCompactedExact(world, expected);
    expect(await aggregator.metric('aggregator_publish_failures_total')).toBe(0);
  }, 300_000);

  it('a step of more dead letters than the dead-letter topic takes in one batch: all dead-lettered, the rest folded, exact', async () => {
    const world = await createWorld();
    // Each dead letter carries its record (about 200 bytes with the headers): 2 000 of them
    // are far over what the topic takes in one batch.
    await replaceTopicConfig(world.dlq, { 'max.message.bytes': '16384' });
    world.env.AGG_MAX_REQUEST_BYTES = '8192';
    const events = generateEvents(3_000, 24);
    await produceEvents(world, events.slice(0, 1_000));
    const producer = createProducer(testKafka());
    await producer.connect();
    try {
      const poison = Array.from({ length: 2_000 }, (_, i) => ({
        key: `SKU-POISON-${i % 40}`,
        value: Buffer.from(JSON.stringify({ not: 'avro', i, padding: 'x'.repeat(60) })),
      }));
      for (let i = 0; i < poison.length; i += 500)
        await producer.send({ topic: world.input, acks: -1, messages: poison.slice(i, i + 500) });
    } finally {
      await producer.disconnect();
    }
    await produceEvents(world, events.slice(1_000));
    const aggregator = start(world);
    await waitDrained(redis, world, 120_000).catch((error) => {
      throw new Error(`${error.message}; output: ${aggregator.output().slice(-3000)}`);
    });
    expect((await readModel(redis, world)).onHand).toEqual(reference(events));
    const dlq = await collect(testKafka(), world.dlq);
    const dead = await dlq.waitForCount(2_000);
    await dlq.stop();
    expect(dead).toHaveLength(2_000);
    expect(new Set(dead.map((m) => m.message.headers?.['dlq-error-code']?.toString()))).toEqual(
      new Set(['CODEC_MALFORMED']),
    );
    // Each poison record once: its partition and offset are told apart.
    const origins = dead.map(
      (m) => `${m.message.headers?.['dlq-original-partition']}/${m.message.headers?.['dlq-original-offset']}`,
    );
    expect(new Set(origins).size).toBe(2_000);
    expect(await aggregator.metric('aggregator_publish_failures_total')).toBe(0);
  }, 300_000);

  it('the broker restarted while the aggregator publishes: exact', async () => {
    const world = await createWorld();
    const events = generateEvents(30_000, 22);
    // Two thirds before the fault, the rest after it: the broker dies while the
    // aggregator works through the first part, and what follows the restart proves it
    // carried on (however fast it folds, it cannot have seen events not yet produced).
    const beforeFault = events.slice(0, 20_000);
    await produceEvents(world, beforeFault);
    const aggregator = start(world);
    await reachProgress(redis, world, 6_000, 'progress before the broker stops', [aggregator]);
    const broker = stackPartPid('kafka');
    process.kill(broker, 'SIGKILL');
    await waitFor(() => !processAlive(broker), { description: 'the broker to be gone', timeoutMs: 30_000 });
    expect(await progress(redis, world)).toBeLessThanOrEqual(beforeFault.length);
    const up = stackUp();
    expect(up.status, up.stderr).toBe(0);
    await brokerServing();
    await produceEvents(world, events.slice(beforeFault.length));
    await waitDrained(redis, world, 240_000);
    const expected = reference(events);
    expect(await progress(redis, world)).toBe(events.length);
    expect((await readModel(redis, world)).onHand).toEqual(expected);
    await expectCompactedExact(world, expected);
    aggregator.child.kill('SIGTERM');
    expect(await aggregator.exited, aggregator.output().slice(-4000)).toBe(0);
  }, 300_000);
});
