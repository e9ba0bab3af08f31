import { createCodec } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import {
  createWorld,
  readModel,
  reference,
  startAggregator,
  waitDrained,
} from '@inventory/inventory-aggregator-test';
import { decodeMovement } from '@inventory/mq-bridge';
import { processAlive, stackEndpoints, stackPartPid, stackUp, testRedis } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createBridgeWorld,
  generateMovements,
  movementPayload,
  publishMovements,
  queueDepth,
  readTopic,
  useBridges,
} from './support.ts';

const warehouses = ['W-1', 'S-1', 'S-2', 'S-3'];

/** Mainframe transaction ids on the raw topic (its key), each once, and how many records carried them. */
async function txnIdsOn(rawTopic: string): Promise<{ distinct: Set<string>; records: number }> {
  const messages = await readTopic(rawTopic);
  return { distinct: new Set(messages.map((m) => m.key?.toString() ?? '')), records: messages.length };
}

describe('mq-bridge: nothing lost, nothing doubled', () => {
  const redis = testRedis();
  const startBridge = useBridges();
  afterAll(async () => {
    // Whatever happened, leave the stack running for the tests that follow.
    for (const part of ['kafka', 'rabbitmq']) {
      if (!processAlive(stackPartPid(part))) stackUp();
    }
    await redis.quit();
  });

  it('kill -9 at random points while 100k messages flow, then restart: the aggregator counts every movement once', async () => {
    const world = await createWorld(6);
    const bridgeWorld = await createBridgeWorld(world.input);
    const movements = generateMovements(100_000, 7, warehouses);
    await publishMovements(bridgeWorld.queue, movements);
    const aggregator = startAggregator(world);

    let bridge = startBridge(bridgeWorld, { MQ_BATCH_SIZE: '200', MQ_PREFETCH: '400' });
    for (let kill = 0; kill < 4; kill++) {
      const before = await queueDepth(bridgeWorld.queue);
      // A random point: after a random share of what is left has been taken.
      const target = Math.floor(before * (0.6 + Math.random() * 0.3));
      await waitFor(async () => (await queueDepth(bridgeWorld.queue)) <= target, {
        description: () => `the bridge to take messages (queue at ${before}, waiting for ${target})`,
        timeoutMs: 120_000,
        intervalMs: 50,
      });
      bridge.child.kill('SIGKILL');
      await bridge.exited;
      bridge = startBridge(bridgeWorld, { MQ_BATCH_SIZE: '200', MQ_PREFETCH: '400' });
    }
    await waitFor(
      async () =>
        (await queueDepth(bridgeWorld.queue)) === 0 && (await bridge.metric('mq_messages_in_total')) > 0,
      {
        description: 'the queue to be drained',
        timeoutMs: 300_000,
        intervalMs: 200,
      },
    );
    // Acknowledged means written: once nothing is unacknowledged, every record is on the topic.
    await waitFor(
      async () =>
        (await bridge.metric('mq_messages_in_total')) === (await bridge.metric('mq_events_out_total')),
      {
        description: 'the last batch to be acknowledged',
        timeoutMs: 60_000,
      },
    );
    await waitDrained(redis, world, 300_000);

    const expected = reference(
      movements.map((m) => {
        const payload = movementPayload(m);
        const decoded = decodeMovement(payload.content, payload.contentType, 0);
        if (!decoded.ok) throw new Error(decoded.message);
        return decoded.event;
      }),
    );
    const { onHand } = await readModel(redis, world);
    expect(onHand).toEqual(expected);
    const raw = await txnIdsOn(bridgeWorld.raw);
    expect(raw.distinct.size).toBe(100_000);
    // Redeliveries after the kills were written again; the aggregator absorbed them.
    expect(raw.records).toBeGreaterThanOrEqual(100_000);
    aggregator.child.kill('SIGTERM');
    await aggregator.exited;
  });

  for (const part of ['rabbitmq', 'kafka'] as const) {
    it(`${part} stopped mid-stream and started again: no message lost`, async () => {
      const bridgeWorld = await createBridgeWorld();
      const movements = generateMovements(20_000, part === 'kafka' ? 11 : 13, warehouses);
      await publishMovements(bridgeWorld.queue, movements.slice(0, 10_000));
      const bridge = startBridge(bridgeWorld, { MQ_BATCH_SIZE: '100', MQ_PREFETCH: '200' });
      await waitFor(async () => (await queueDepth(bridgeWorld.queue)) < 8_000, {
        description: 'the bridge to be mid-stream',
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      const pid = stackPartPid(part);
      process.kill(pid, 'SIGTERM');
      await waitFor(() => !processAlive(pid), { description: `${part} to stop`, timeoutMs: 60_000 });
      if (part === 'kafka') {
        // Kafka down: the bridge must not acknowledge what it cannot write, and says so.
        await waitFor(async () => (await fetch(`http://127.0.0.1:${bridge.port}/readyz`)).status === 503, {
          description: 'the bridge to report Kafka as not taking writes',
          timeoutMs: 60_000,
        });
      }
      const restarted = stackUp();
      expect(restarted.status, restarted.stderr).toBe(0);
      await publishMovements(bridgeWorld.queue, movements.slice(10_000));
      await waitFor(
        async () =>
          (await txnIdsOn(bridgeWorld.raw).catch(() => ({ distinct: new Set() }))).distinct.size >= 20_000,
        { description: 'every message on the raw topic', timeoutMs: 180_000, intervalMs: 1_000 },
      );
      const raw = await txnIdsOn(bridgeWorld.raw);
      expect([...raw.distinct].sort()).toEqual(movements.map((m) => m.txnId).sort());
      // Each movement is on the events topic (some twice: redelivered after the restart).
      const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
      const eventIds = new Set(
        await Promise.all(
          (await readTopic(bridgeWorld.events)).map(
            async (m) => (await codec.decode(m.value as Buffer, 'InventoryEvent')).eventId,
          ),
        ),
      );
      expect([...eventIds].sort()).toEqual(movements.map((m) => `mainframe:${m.txnId}`).sort());
      await waitFor(async () => (await fetch(`http://127.0.0.1:${bridge.port}/readyz`)).status === 200, {
        description: 'the bridge to be ready again',
        timeoutMs: 60_000,
      });
      bridge.child.kill('SIGTERM');
      await bridge.exited;
    });
  }
});
