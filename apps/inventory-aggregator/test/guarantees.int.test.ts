import { waitFor } from '@inventory/core';
import type { InventoryEvent } from '@inventory/domain';
import { expectOrderlyStop, freezeProcess, testKafka, testRedis } from '@inventory/testkit';

import { afterAll, describe, expect, it } from 'vitest';
import {
  createWorld,
  expectExact,
  expectedAssortments,
  fileAggregators,
  generateEvents,
  lagReaches,
  produceEvents,
  progress,
  reachProgress,
  readAssortments,
  readModel,
  type World,
} from './support.ts';

/**
 * The exactly-once guarantees under failure, each against real processes: kill -9 at random
 * points, instances joining and leaving, an instance frozen past its session timeout, and
 * Redis wiped. Each ends with the read model equal to a reference fold of the input.
 */
const redis = testRedis();
const aggregators = fileAggregators();
const start = aggregators.start;
afterAll(() => redis.quit());

const reach = (world: World, count: number, what: string) =>
  reachProgress(redis, world, count, what, aggregators.alive());
const expectFolded = (world: World, events: InventoryEvent[]) => expectExact(redis, world, events);

const size = 30_000;

describe('exactly-once effect on state', () => {
  it('SIGTERM while folding: exits 0 within the deadline, without client warnings; a restart ends exact', async () => {
    const world = await createWorld();
    const events = generateEvents(size, 7);
    await produceEvents(world, events);
    const deadlineMs = 15_000;
    const aggregator = start(world, { AGG_LOG_LEVEL: 'info', AGG_SHUTDOWN_TIMEOUT_MS: String(deadlineMs) });
    await reach(world, Math.floor(size * 0.3), 'progress past 30%');
    await expectOrderlyStop(aggregator, deadlineMs);
    // Stopped mid-stream, not after the work was done.
    expect(await progress(redis, world)).toBeLessThan(size);
    start(world);
    await expectFolded(world, events);
  });

  it('kill -9 at random points, then restart: the numbers equal the reference fold', async () => {
    const world = await createWorld();
    const events = generateEvents(size, 11);
    await produceEvents(world, events);
    const killedAt: number[] = [];
    const points = [0.15 + Math.random() * 0.15, 0.4 + Math.random() * 0.15, 0.65 + Math.random() * 0.15];
    for (const point of points) {
      const aggregator = start(world);
      await reach(world, Math.floor(size * point), `progress past ${Math.round(point * 100)}%`);
      aggregator.child.kill('SIGKILL');
      await aggregator.exited;
      killedAt.push(await progress(redis, world));
    }
    // The kills really happened mid-stream, not after the work was done.
    expect(killedAt[0]).toBeLessThan(size);
    const last = start(world);
    await expectFolded(world, events);
    await last.ready();
    last.child.kill('SIGTERM');
    expect(await last.exited, last.output().slice(-4000)).toBe(0);
    // Above its waits' deadlines together (three of 60 s, the drain's 120 s): a stuck instance
    // fails its wait, with its output, rather than the test's deadline.
  }, 330_000);

  it('instances added and removed mid-stream in one group: the same exact numbers', async () => {
    const world = await createWorld();
    const events = generateEvents(size, 12);
    await produceEvents(world, events);
    const a = start(world);
    await reach(world, size * 0.1, 'first instance to make progress');
    const b = start(world);
    const c = start(world);
    await reach(world, size * 0.4, 'three instances to make progress');
    await b.ready();
    b.child.kill('SIGTERM');
    expect(await b.exited, b.output().slice(-4000)).toBe(0);
    await reach(world, size * 0.6, 'two instances to make progress');
    const d = start(world);
    a.child.kill('SIGKILL');
    await expectFolded(world, events);
    // Once the group settles, each partition's lag is reported by its owner alone, and is 0:
    // a partition that left an instance took its series with it.
    await lagReaches([c, d], world, 0);
    for (const x of [c, d]) {
      await x.ready();
      x.child.kill('SIGTERM');
      expect(await x.exited, x.output().slice(-4000)).toBe(0);
    }
  });

  it('instances frozen past their session timeout, again and again mid-publication, cannot overwrite newer state or append older values', async () => {
    const world = await createWorld();
    const events = generateEvents(size * 2, 13);
    // A quarter before, and a quarter after each freeze: the instance left running must fold
    // what comes while the other is frozen, however fast it folded what came before.
    const quarter = events.length / 4;
    await produceEvents(world, events.slice(0, quarter));
    const a = start(world);
    const b = start(world);
    await reach(world, quarter * 0.5, 'both instances to make progress');
    // Freeze one of them while it publishes (a step in flight at the moment of the signal),
    // let its partitions move to the other, wake it: three times, alternating.
    const members = async () => {
      const admin = testKafka().admin();
      await admin.connect();
      try {
        const { groups } = await admin.describeGroups([world.groupId]);
        return groups[0]?.state === 'Stable' ? (groups[0]?.members.length ?? 0) : -1;
      } finally {
        await admin.disconnect();
      }
    };
    for (const [round, frozen] of [a, b, a].entries()) {
      await waitFor(async () => (await members()) === 2, { description: 'two members', timeoutMs: 60_000 });
      await freezeProcess(frozen.child.pid as number);
      // Its session expires and the other instance owns every partition, its own included.
      await waitFor(async () => (await members()) === 1, {
        description: `the frozen member to leave the group (round ${round})`,
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      const produced = quarter * (round + 2);
      await produceEvents(world, events.slice(produced - quarter, produced));
      await reach(world, produced, `the other instance to fold the next quarter (round ${round})`);
      frozen.child.kill('SIGCONT');
    }
    await expectFolded(world, events);
    for (const x of [a, b]) {
      // Both woke and carried on: alive (its port is its own), and they folded.
      expect(x.child.exitCode, x.output().slice(-4000)).toBe(null);
      expect(await x.metric('aggregator_events_applied_total'), x.output().slice(-4000)).toBeGreaterThan(0);
      x.child.kill('SIGTERM');
    }
  });

  it('Redis wiped (FLUSHALL) mid-stream: state is rebuilt from the compacted topics and stays exact', async () => {
    const world = await createWorld();
    // The stock topic has no count journals: after the rebuild a COUNT older than its
    // location's updatedAt cannot be placed (counted as unplaced, fold/counts.test.ts). With
    // counts in time order (late deltas still happen) the rebuild must lose nothing.
    const events = generateEvents(size, 14);
    await produceEvents(world, events);
    const aggregator = start(world);
    await reach(world, size * 0.4, 'progress before the wipe');
    await redis.flushall();
    await expectFolded(world, events);
    const model = await readModel(redis, world);
    expect(await readAssortments(redis, world)).toEqual(expectedAssortments(model.onHand));
    const metrics = await (await fetch(`http://127.0.0.1:${aggregator.port}/metrics`)).text();
    expect(metrics).toMatch(/aggregator_partition_rebuilds_total [1-9]/);
    expect(metrics).toMatch(/aggregator_counts_unplaced_total 0/);
    aggregator.child.kill('SIGTERM');
    expect(await aggregator.exited, aggregator.output().slice(-4000)).toBe(0);
  });
});
