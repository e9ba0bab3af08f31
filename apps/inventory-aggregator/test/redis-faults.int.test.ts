import { createCodec, type InventoryEvent, type ReservationCommand } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { platformEvent } from '@inventory/domain';
import { createProducer } from '@inventory/kafka';
import type { RedisClient } from '@inventory/read-model';
import { freezeProcess, PrivateRedis, stackEndpoints, testKafka } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createWorld,
  expectCompactedExact,
  fileAggregators,
  generateEvents,
  produceEvents,
  progress,
  type RunningAggregator,
  reachProgress,
  readModel,
  reference,
  type World,
  waitDrained,
} from './support.ts';

/**
 * Faults of the aggregator's Redis, each a Redis of the test's own (PrivateRedis): restarted
 * without its last second, restored from an older backup, down for a while. Each ends with
 * the read model and the compacted stock topic equal to the reference fold of the input.
 */
const { start } = fileAggregators();
const privates: PrivateRedis[] = [];
afterAll(async () => {
  for (const r of privates) await r.stop();
});

describe('aggregator faults of its Redis', () => {
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
   * Redis taken when the first 10 000 (and `beforeBackup`) were folded: every record is
   * fetched, so no record arrives after it is restored.
   */
  async function foldedPastBackup(options: { logLevel?: string; beforeBackup?: InventoryEvent[] } = {}) {
    // The backup holds every write answered before it: exactly what was folded by then.
    const privateRedis = new PrivateRedis({ appendfsync: 'always' });
    privates.push(privateRedis);
    await privateRedis.start();
    const redis = privateRedis.client();
    const world = await createWorld();
    world.env.AGG_REDIS_URL = privateRedis.url;
    world.env.AGG_LOG_LEVEL = options.logLevel ?? 'warn';
    const generated = generateEvents(20_000, 29);
    const first = [...generated.slice(0, 10_000), ...(options.beforeBackup ?? [])];
    const events = [...first, ...generated.slice(10_000)];
    await produceEvents(world, first);
    const aggregator = start(world);
    await waitDrained(redis, world);
    const backup = privateRedis.snapshotAof();
    await produceEvents(world, generated.slice(10_000));
    await waitDrained(redis, world);
    return { privateRedis, redis, world, events, aggregator, backup, atBackup: first.length };
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

  const reservedAt = async (redis: RedisClient, world: World) => (await readModel(redis, world)).reserved;

  /**
   * Stock of skus no other event touches, counted before the backup: a reservation of 1 at
   * each is decided alike whenever the events around it are folded.
   */
  const reservable = ['SKU-RESTORED-1', 'SKU-RESTORED-2', 'SKU-RESTORED-3'].map((sku, i) =>
    platformEvent('LOADGEN', `restored-count-${i}`, {
      type: 'COUNT',
      sku,
      locationId: 'W-1',
      quantity: 5,
      occurredAt: Date.now() - 7_200_000,
    }),
  );

  async function reserve(world: World, keys: string[]): Promise<void> {
    const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
    const producer = createProducer(testKafka());
    await producer.connect();
    try {
      const messages = await Promise.all(
        keys.map(async (key, i) => {
          const [sku, locationId] = key.split('|') as [string, string];
          const command: ReservationCommand = {
            type: 'RESERVE',
            reservationId: `restored-${i}`,
            sku,
            locationId,
            quantity: 1,
            ttlMs: 3_600_000,
            issuedAt: Date.now(),
            orderId: null,
            requestId: `restored-request-${i}`,
          };
          return {
            key: sku,
            value: await codec.encode(`${world.commands}-value`, 'ReservationCommand', command),
          };
        }),
      );
      await producer.send({ topic: world.commands, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
  }

  it('Redis restored from a backup older than what the group committed, no record arriving: the next instance folds the lost events and commands again, exact', async () => {
    const { privateRedis, redis, world, events, aggregator, backup, atBackup } = await foldedPastBackup({
      beforeBackup: reservable,
    });
    const admin = testKafka().admin();
    await admin.connect();
    try {
      // Commands after the backup, which holds none: Redis will know no command applied.
      const keys = reservable.map((e) => `${e.sku}|${e.locationId}`);
      const reserved = new Map(keys.map((key) => [key, 1]));
      await reserve(world, keys);
      await waitFor(async () => (await reservedAt(redis, world)).size === keys.length, {
        description: 'the reservations to be decided',
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      expect(await reservedAt(redis, world)).toEqual(reserved);
      await stopCleanly(aggregator);
      // The group's offsets say everything was published: a consumer resumes at the end of both.
      const byPartition = (offsets: { partition: number; offset: string }[]) =>
        Object.fromEntries(
          offsets.filter((o) => o.offset !== '-1' && o.offset !== '0').map((o) => [o.partition, o.offset]),
        );
      for (const topic of [world.input, world.commands]) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId: world.groupId, topics: [topic] });
        expect(byPartition(committed?.partitions ?? []), topic).toEqual(
          byPartition(ends.map((e) => ({ partition: e.partition, offset: e.high }))),
        );
      }

      await privateRedis.restartFrom(backup);
      expect(await progress(redis, world)).toBe(atBackup);
      expect(await reservedAt(redis, world)).toEqual(new Map());
      const second = start(world);
      await expectRefolded(redis, world, events, second);
      await waitFor(async () => (await reservedAt(redis, world)).size === keys.length, {
        description: 'the reservations to be decided again',
        timeoutMs: 60_000,
        intervalMs: 200,
      }).catch((error) => {
        throw new Error(`${error.message}; output: ${second.output().slice(-4000)}`);
      });
      expect(await reservedAt(redis, world)).toEqual(reserved);
      await stopCleanly(second);
    } finally {
      await admin.disconnect();
      redis.disconnect();
    }
  }, 300_000);

  it('Redis down while the partitions fail to read it, then back from an older backup: the running instance folds the lost ones again, exact; the outage logged once', async () => {
    // At info, the connection's return is logged too.
    const { privateRedis, redis, world, events, aggregator, backup, atBackup } = await foldedPastBackup({
      logLevel: 'info',
    });
    try {
      const failures = await aggregator.metric('aggregator_step_failures_total');
      await privateRedis.kill();
      // The idle partitions' watchdog checks fail, and so do their reads of the offsets after.
      await waitFor(
        async () =>
          (await aggregator.metric('aggregator_step_failures_total')) >= failures + world.partitions,
        { description: 'the partitions to fail reading Redis', timeoutMs: 60_000, intervalMs: 200 },
      );
      // Frozen across the restart, so the check reads what Redis came back with, not what the
      // aggregator has folded again since.
      await freezeProcess(aggregator.child.pid as number);
      try {
        await privateRedis.restartFrom(backup);
        expect(await progress(redis, world)).toBe(atBackup);
      } finally {
        aggregator.child.kill('SIGCONT');
      }
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
