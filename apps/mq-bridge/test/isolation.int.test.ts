import { createCodec } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { replaceTopicConfig, stackEndpoints, TcpGate } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import {
  createBridgeWorld,
  drainQueue,
  publishMovements,
  queueDepth,
  readTopic,
  type TestMovement,
  useBridges,
  waitForRecords,
} from './support.ts';

/** No acknowledgement covers a message that is not in Kafka or a dead-letter queue. */
describe('mq-bridge: a failure of one message, and a failure of the sink', () => {
  const startBridge = useBridges();
  const movedAt = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
  const movements = (prefix: string, count: number): TestMovement[] =>
    Array.from({ length: count }, (_, i) => ({
      txnId: `${prefix}${String(i).padStart(4, '0')}`,
      moveCode: 'REC',
      warehouse: 'W-1',
      sku: `SKU-${i % 7}`,
      quantity: 1 + (i % 5),
      movedAt: movedAt + i * 1000,
      json: true,
    }));
  const eventIds = async (topic: string) => {
    const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
    return Promise.all(
      (await readTopic(topic)).map(
        async (m) => (await codec.decode(m.value as Buffer, 'InventoryEvent')).eventId,
      ),
    );
  };

  it('300 movements with a "toString" move code as the 151st: 299 in Kafka, that one in both dead letters', async () => {
    const world = await createBridgeWorld();
    const sent = movements('P', 300);
    sent[150] = { ...(sent[150] as TestMovement), moveCode: 'toString' };
    await publishMovements(world.queue, sent);
    const bridge = startBridge(world, { MQ_BATCH_SIZE: '100', MQ_PREFETCH: '300' });
    await waitForRecords(world.raw, 300, { app: bridge });
    await waitFor(async () => (await bridge.metric('mq_events_out_total')) === 299, {
      description: 'the bridge to write 299 events',
      timeoutMs: 60_000,
    });
    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
    const expected = sent.filter((_, i) => i !== 150).map((m) => `mainframe:${m.txnId}`);
    expect((await eventIds(world.events)).sort()).toEqual(expected.sort());
    const kafkaDead = await readTopic(world.dlq);
    expect(kafkaDead.map((m) => [m.key?.toString(), m.headers?.['dlq-reason']?.toString()])).toEqual([
      ['P0150', 'UNKNOWN_MOVE_CODE'],
    ]);
    const mqDead = await drainQueue(world.deadLetterQueue);
    expect(mqDead.map((m) => m.properties.headers?.['x-dead-letter-reason'])).toEqual(['UNKNOWN_MOVE_CODE']);
    // Everything was acknowledged: nothing waits in the queue, nothing comes again.
    expect(await queueDepth(world.queue)).toBe(0);
  });

  it('a batch larger than the raw topic takes in one request: sent in several, every movement once', async () => {
    const world = await createBridgeWorld();
    // 300 raw copies of ~200 bytes over 6 partitions: ~10 KB a partition in one request,
    // which a topic of at most 4 KB a record batch refuses for good.
    await replaceTopicConfig(world.raw, { 'max.message.bytes': '4096' });
    const sent = movements('B', 300);
    await publishMovements(world.queue, sent);
    const bridge = startBridge(world, {
      MQ_BATCH_SIZE: '300',
      MQ_PREFETCH: '300',
      MQ_MAX_REQUEST_BYTES: '2048',
    });
    await waitForRecords(world.raw, 300, { app: bridge });
    await waitForRecords(world.events, 300, { app: bridge });
    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
    expect((await eventIds(world.events)).sort()).toEqual(sent.map((m) => `mainframe:${m.txnId}`).sort());
    expect((await readTopic(world.raw)).map((m) => m.key?.toString()).sort()).toEqual(
      sent.map((m) => m.txnId).sort(),
    );
    expect(await queueDepth(world.queue)).toBe(0);
  });

  it('the schema registry unreachable: nothing is acknowledged or lost; when it is back, every movement flows once', async () => {
    const world = await createBridgeWorld();
    const registry = new URL(stackEndpoints().SCHEMA_REGISTRY_URL as string);
    const gate = new TcpGate(registry.hostname, Number(registry.port));
    const port = await gate.start();
    gate.cut();
    try {
      const sent = movements('R', 200);
      await publishMovements(world.queue, sent);
      const bridge = startBridge(world, {
        MQ_SCHEMA_REGISTRY_URL: `http://127.0.0.1:${port}${registry.pathname}`,
        MQ_BATCH_SIZE: '50',
        MQ_PREFETCH: '100',
      });
      // The bridge took messages, failed to encode them, and retries: nothing written, nothing acknowledged.
      await waitFor(async () => (await bridge.metric('mq_kafka_send_failures_total').catch(() => 0)) >= 3, {
        description: () =>
          `the bridge to retry the batch while the registry is unreachable (output: ${bridge.output().slice(-1500)})`,
        timeoutMs: 60_000,
      });
      expect(await bridge.metric('mq_events_out_total')).toBe(0);
      expect(await bridge.metric('mq_dead_letters_total')).toBe(0);
      expect(await queueDepth(world.queue)).toBe(100);
      gate.restore();
      await waitFor(async () => (await bridge.metric('mq_events_out_total')) === 200, {
        description: 'every movement to reach Kafka once the registry is back',
        timeoutMs: 60_000,
      });
      bridge.child.kill('SIGTERM');
      expect(await bridge.exited).toBe(0);
      expect((await eventIds(world.events)).sort()).toEqual(sent.map((m) => `mainframe:${m.txnId}`).sort());
      expect(await readTopic(world.dlq)).toEqual([]);
      expect(await queueDepth(world.queue)).toBe(0);
    } finally {
      await gate.stop();
    }
  });
});
