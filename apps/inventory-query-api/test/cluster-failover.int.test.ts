import { waitFor } from '@inventory/core';
import { platformEvent } from '@inventory/domain';
import * as aggregatorTest from '@inventory/inventory-aggregator-test';
import { keySlot, partitionOf } from '@inventory/read-model';
import { redisOf } from '@inventory/service';
import { processAlive, stackEndpoints, stackPartPid, stackUp } from '@inventory/testkit';
import type { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestQueryApi, expectAnswersHold, type TestQueryApi } from './support.ts';

/**
 * A Redis Cluster primary killed (-9) while the aggregator folds and reservations are being
 * decided on it: its replica is promoted, the aggregator and the query API carry on, the
 * read model and the compacted topic end equal to the reference fold, and every reservation
 * answer given stays true (steps deciding reservations are published only once a replica
 * holds them: AGG_RESERVATION_REPLICAS=1). What the dead primary acknowledged but had not
 * replicated is folded again from Kafka: the offsets live in the same slot as the state, so
 * a promoted replica that lacks a step also lacks its offset, and the partition replays it.
 */
const clusterUrl = () => {
  const url = stackEndpoints().REDIS_CLUSTER_URL;
  if (!url)
    throw new Error('this test needs the stack with its Redis Cluster (INVENTORY_STACK_REDIS_CLUSTER=true)');
  return url;
};

const sku = 'SKU-FAILOVER';
const stock = 60;
const requests = 100;

/** The port of the primary serving `slot`, from CLUSTER SLOTS. */
async function primaryOf(redis: Cluster, slot: number): Promise<number> {
  const ranges = await redis.cluster('SLOTS');
  const primary = ranges.find(([low, high]) => slot >= low && slot <= high)?.[2];
  if (!primary) throw new Error(`no node serves slot ${slot}`);
  return primary[1];
}

describe('Redis Cluster failover', () => {
  const redis = redisOf(clusterUrl()) as Cluster;
  const started: aggregatorTest.RunningAggregator[] = [];
  let api: TestQueryApi | undefined;
  afterAll(async () => {
    for (const a of started) a.child.kill('SIGKILL');
    await api?.close();
    redis.disconnect();
    // Whatever happened, every node of the cluster runs again for the tests that follow.
    const up = stackUp();
    if (up.status !== 0) throw new Error(up.stderr);
  });

  it('a primary killed mid-stream: its replica takes over, folding and reservations carry on, exact', async () => {
    const world = await aggregatorTest.createWorld(12);
    world.env.AGG_REDIS_URL = clusterUrl();
    world.env.AGG_RESERVATION_REPLICAS = '1';
    const t0 = Date.now() - 60_000;
    const events = [
      platformEvent('LOADGEN', `${world.prefix}-stock`, {
        type: 'COUNT',
        sku,
        locationId: 'W-1',
        quantity: stock,
        occurredAt: t0,
      }),
      ...aggregatorTest.generateEvents(30_000, 41),
    ];
    const beforeFault = events.slice(0, 20_000);
    await aggregatorTest.produceEvents(world, beforeFault);
    const aggregator = aggregatorTest.startAggregator(world);
    started.push(aggregator);
    await aggregatorTest.reachProgress(redis, world, 5_000, 'progress before the failover');
    api = await buildTestQueryApi(world, {
      QUERY_REDIS_URL: clusterUrl(),
      QUERY_RESERVATION_TIMEOUT_MS: '2000',
    });
    const client = api;

    // A web shop's clients: each retries with the same reservationId until it gets a decision.
    const answers = new Map<string, number>();
    let retried = 0;
    const bodies: string[] = [];
    const queue = Array.from({ length: requests }, (_, i) => `failover-${i}`);
    const reserve = async (reservationId: string) => {
      for (;;) {
        const response = await client.call('POST', '/v1/reservations', {
          reservationId,
          sku,
          quantity: 1,
          locationId: 'W-1',
        });
        // 503 (Redis failing over) and 504 (no decision in time) are retried, anything else is an answer.
        if (response.statusCode !== 503 && response.statusCode !== 504) {
          answers.set(reservationId, response.statusCode);
          if (response.statusCode !== 201 && response.statusCode !== 409) bodies.push(response.body);
          return;
        }
        retried++;
      }
    };
    const clients = Array.from({ length: 10 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await reserve(next);
    });

    // The primary that holds the reservations' partition dies while they are decided.
    await waitFor(() => answers.size >= 30, {
      description: '30 decisions',
      timeoutMs: 120_000,
      intervalMs: 10,
    });
    const layout = aggregatorTest.readerOf(redis, world).keys;
    const slot = keySlot(layout.offset(partitionOf(sku, world.partitions)));
    const port = await primaryOf(redis, slot);
    const pid = stackPartPid(`redis-cluster-${port}`);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !processAlive(pid), { description: 'the primary to be gone', timeoutMs: 10_000 });
    await waitFor(
      async () => {
        return (await primaryOf(redis, slot)) !== port;
      },
      { description: `a replica promoted in place of :${port}`, timeoutMs: 60_000, intervalMs: 250 },
    );
    // The promoted primary has no replica yet: decisions on its partition wait (clients are
    // answered 504 and retry) rather than be told before a copy exists. The killed node is
    // started again, as Kubernetes restarts a pod, and rejoins as the new primary's replica.
    const restarted = stackUp();
    expect(restarted.status, restarted.stderr).toBe(0);
    await aggregatorTest.produceEvents(world, events.slice(beforeFault.length));
    await waitFor(() => answers.size === requests, {
      description: () =>
        `every reservation decided (have ${answers.size}, ${retried} retried; aggregator: ${aggregator.output().slice(-1500)})`,
      timeoutMs: 180_000,
      intervalMs: 50,
    });
    await Promise.all(clients);

    // Every answer given is what the state holds.
    expect(answers.size).toBe(requests);
    expect(bodies).toEqual([]);
    await aggregatorTest.waitDrained(redis, world, 180_000).catch((error) => {
      throw new Error(`${error.message}; output: ${aggregator.output().slice(-3000)}`);
    });
    await expectAnswersHold(client, aggregatorTest.readerOf(redis, world), {
      sku,
      ids: [...answers.keys()],
      answers,
      stock,
    });
    // And the stream folded exactly, the part before the failover and the part after.
    const expected = aggregatorTest.reference(events);
    expect((await aggregatorTest.readModel(redis, world)).onHand).toEqual(expected);
    await aggregatorTest.expectCompactedExact(world, expected);
    expect(await aggregatorTest.progress(redis, world)).toBe(events.length);
    // The failover was felt: decisions on the dead primary's partition stalled until its
    // replica took over and had a replica itself, so clients retried and steps waited.
    expect(retried).toBeGreaterThan(0);
    expect(
      (await aggregator.metric('aggregator_step_failures_total')) +
        (await aggregator.metric('aggregator_replica_waits_total')),
    ).toBeGreaterThan(0);
  }, 400_000);
});
