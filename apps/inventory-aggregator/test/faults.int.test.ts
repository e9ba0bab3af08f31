import type { InventoryEvent } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { platformEvent } from '@inventory/domain';
import { createProducer } from '@inventory/kafka';
import type { RedisClient } from '@inventory/read-model';
import {
  brokerServing,
  collect,
  freezeProcess,
  keysMatching,
  PrivateRedis,
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
  generateEvents,
  lagByPartition,
  lagReaches,
  produceEvents,
  progress,
  type RunningAggregator,
  reachProgress,
  readModel,
  reference,
  startAggregator,
  type World,
  waitDrained,
} from './support.ts';

/**
 * Faults of what the aggregator writes to: its publications refused, the broker restarted
 * while it publishes, a Redis that comes back without its last second or from an older
 * backup. Each ends with the read model and the compacted stock topic (its last record per
 * key, what compaction keeps) equal to the reference fold of the input.
 */
const running: RunningAggregator[] = [];
const privates: PrivateRedis[] = [];
afterAll(async () => {
  for (const a of running) a.child.kill('SIGKILL');
  for (const r of privates) await r.stop();
  // Whatever happened, leave the stack's broker running for the tests that follow.
  if (!processAlive(stackPartPid('kafka'))) stackUp();
});

function start(world: World): RunningAggregator {
  const aggregator = startAggregator(world);
  running.push(aggregator);
  return aggregator;
}

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

  it('Redis restarted without its last writes (AOF fsync every second, kill -9): the aggregator replays them, exact', async () => {
    const privateRedis = new PrivateRedis();
    privates.push(privateRedis);
    await privateRedis.start();
    const redis = privateRedis.client();
    try {
      const world = await createWorld();
      world.env.AGG_REDIS_URL = privateRedis.url;
      const events = generateEvents(30_000, 23);
      await produceEvents(world, events);
      const aggregator = start(world);
      await reachProgress(redis, world, 8_000, 'progress before the snapshot', [aggregator]);
      const snapshot = privateRedis.snapshotAof();
      const atSnapshot = await progress(redis, world);
      await reachProgress(
        redis,
        world,
        atSnapshot + 6_000,
        'more progress after the snapshot (writes that the restart loses)',
        [aggregator],
      );
      // Frozen across the restart, so the check below reads what Redis came back with and not
      // what the aggregator has folded again since (6 000 events take it well under a second).
      await freezeProcess(aggregator.child.pid as number);
      try {
        await privateRedis.restartFrom(snapshot);
        // Redis went back in time: the offsets it holds are behind what was published.
        expect(await progress(redis, world)).toBeLessThan(atSnapshot + 6_000);
      } finally {
        aggregator.child.kill('SIGCONT');
      }
      await waitDrained(redis, world, 90_000).catch((error) => {
        throw new Error(`${error.message}; output: ${aggregator.output().slice(-4000)}`);
      });
      const expected = reference(events);
      expect((await readModel(redis, world)).onHand).toEqual(expected);
      await expectCompactedExact(world, expected);
      // The loss was noticed (by a refused step, or by the watchdog on an idle partition).
      expect(
        (await aggregator.metric('aggregator_fenced_batches_total')) +
          (await aggregator.metric('aggregator_redis_rewinds_total')),
      ).toBeGreaterThan(0);
      aggregator.child.kill('SIGTERM');
      expect(await aggregator.exited, aggregator.output().slice(-4000)).toBe(0);
    } finally {
      redis.disconnect();
    }
  }, 300_000);

  /**
   * 20 000 events folded into a private Redis by a running aggregator, and a backup of that
   * Redis taken when the first 10 000 were folded: every record is fetched, so no record
   * arrives after it is restored.
   */
  async function foldedPastBackup(logLevel = 'warn') {
    const privateRedis = new PrivateRedis();
    privates.push(privateRedis);
    await privateRedis.start();
    const redis = privateRedis.client();
    const world = await createWorld();
    world.env.AGG_REDIS_URL = privateRedis.url;
    world.env.AGG_LOG_LEVEL = logLevel;
    const events = generateEvents(20_000, 29);
    await produceEvents(world, events.slice(0, 10_000));
    const aggregator = start(world);
    await waitDrained(redis, world);
    const backup = privateRedis.snapshotAof();
    await produceEvents(world, events.slice(10_000));
    await waitDrained(redis, world);
    return { privateRedis, redis, world, events, aggregator, backup };
  }

  /** Waits until the lost records are folded again, and compares with the reference fold. */
  async function expectRefolded(
    redis: RedisClient,
    world: World,
    events: InventoryEvent[],
    aggregator: RunningAggregator,
  ): Promise<void> {
    await waitDrained(redis, world, 90_000).catch((error) => {
      throw new Error(`${error.message}; output: ${aggregator.output().slice(-4000)}`);
    });
    const expected = reference(events);
    expect((await readModel(redis, world)).onHand).toEqual(expected);
    await expectCompactedExact(world, expected);
  }

  async function stopCleanly(aggregator: RunningAggregator): Promise<void> {
    aggregator.child.kill('SIGTERM');
    expect(await aggregator.exited, aggregator.output().slice(-4000)).toBe(0);
  }

  it('Redis restored from a backup older than what the group committed, no record arriving: the next instance folds the lost ones again, exact', async () => {
    const { privateRedis, redis, world, events, aggregator, backup } = await foldedPastBackup();
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await stopCleanly(aggregator);
      // The group's offsets say everything was published: a consumer resumes at the end.
      const ends = await admin.fetchTopicOffsets(world.input);
      const [committed] = await admin.fetchOffsets({ groupId: world.groupId, topics: [world.input] });
      const byPartition = (offsets: { partition: number; offset: string }[]) =>
        Object.fromEntries(offsets.map((o) => [o.partition, o.offset]));
      expect(byPartition(committed?.partitions ?? [])).toEqual(
        byPartition(ends.map((e) => ({ partition: e.partition, offset: e.high }))),
      );

      await privateRedis.restartFrom(backup);
      expect(await progress(redis, world)).toBe(10_000);
      const second = start(world);
      await expectRefolded(redis, world, events, second);
      await stopCleanly(second);
    } finally {
      await admin.disconnect();
      redis.disconnect();
    }
  }, 300_000);

  it('Redis down while the partitions fail to read it, then back from an older backup: the running instance folds the lost ones again, exact; the outage logged once', async () => {
    // At info, the connection's return is logged too.
    const { privateRedis, redis, world, events, aggregator, backup } = await foldedPastBackup('info');
    try {
      const failures = await aggregator.metric('aggregator_step_failures_total');
      await privateRedis.kill();
      // The idle partitions' watchdog checks fail, and so do their reads of the offsets after.
      await waitFor(
        async () =>
          (await aggregator.metric('aggregator_step_failures_total')) >= failures + world.partitions,
        { description: 'the partitions to fail reading Redis', timeoutMs: 60_000, intervalMs: 200 },
      );
      await privateRedis.restartFrom(backup);
      expect(await progress(redis, world)).toBe(10_000);
      await expectRefolded(redis, world, events, aggregator);
      // Every partition had moved on since the backup: each loss noticed once, whichever of its
      // reads of Redis first saw it back.
      expect(await aggregator.metric('aggregator_redis_rewinds_total')).toBe(world.partitions);
      await stopCleanly(aggregator);
      // The outage is in the JSON log, once and its end once, not printed at every reconnection.
      const lines = aggregator.output().split('\n');
      expect(lines.filter((l) => l.includes('[ioredis] Unhandled error event'))).toEqual([]);
      const said = (msg: string) => lines.filter((l) => l.includes(`"msg":"${msg}"`)).length;
      expect(said('Redis connection failed; commands fail until it is back')).toBe(1);
      expect(said('Redis connection back')).toBe(1);
    } finally {
      redis.disconnect();
    }
  }, 300_000);
});
