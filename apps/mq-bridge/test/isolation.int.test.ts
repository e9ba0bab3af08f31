import { createHash } from 'node:crypto';
import { createCodec } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { replaceTopicConfig, stackEndpoints, TcpGate } from '@inventory/testkit';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  type BridgeWorld,
  createBridgeWorld,
  drainQueue,
  movementPayload,
  publish,
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

  /** Bridges the queue's `sent` in batches of 100, one of which fails alone: the others are events, once each. */
  const bridgeAllButOne = async (world: BridgeWorld, sent: TestMovement[], failing: number) => {
    const bridge = startBridge(world, { MQ_BATCH_SIZE: '100', MQ_PREFETCH: '300' });
    await waitForRecords(world.raw, sent.length, { app: bridge });
    await waitFor(async () => (await bridge.metric('mq_events_out_total')) === sent.length - 1, {
      description: `the bridge to write ${sent.length - 1} events`,
      timeoutMs: 60_000,
    });
    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
    const expected = sent.filter((_, i) => i !== failing).map((m) => `mainframe:${m.txnId}`);
    expect((await eventIds(world.events)).sort()).toEqual(expected.sort());
  };

  it('300 movements with a "toString" move code as the 151st: 299 in Kafka, that one in both dead letters', async () => {
    const world = await createBridgeWorld();
    const sent = movements('P', 300);
    sent[150] = { ...(sent[150] as TestMovement), moveCode: 'toString' };
    await publishMovements(world.queue, sent);
    await bridgeAllButOne(world, sent, 150);
    const kafkaDead = await readTopic(world.dlq);
    expect(kafkaDead.map((m) => [m.key?.toString(), m.headers?.['dlq-reason']?.toString()])).toEqual([
      ['P0150', 'UNKNOWN_MOVE_CODE'],
    ]);
    const mqDead = await drainQueue(world.deadLetterQueue);
    expect(mqDead.map((m) => m.properties.headers?.['x-dead-letter-reason'])).toEqual(['UNKNOWN_MOVE_CODE']);
    // Everything was acknowledged: nothing waits in the queue, nothing comes again.
    expect(await queueDepth(world.queue)).toBe(0);
  });

  it('a 2 MiB message as the 151st of 300: 299 in Kafka, that one whole on the MQ dead-letter queue and by size and checksum in Kafka', async () => {
    const world = await createBridgeWorld();
    const sent = movements('L', 300);
    // Over the topics' 1 MiB: a copy of it in Kafka would be refused for good.
    const large = Buffer.from(JSON.stringify({ txnId: 'L0150', padding: 'x'.repeat(2 * 1024 * 1024) }));
    const payloads = sent.map(movementPayload);
    payloads[150] = { content: large, contentType: 'application/json' };
    await publish(world.queue, payloads);
    await bridgeAllButOne(world, sent, 150);
    const stands = {
      'mq-payload-bytes': String(large.length),
      'mq-payload-sha256': createHash('sha256').update(large).digest('hex'),
    };
    const detail = `the message has ${large.length} bytes, more than the 524288 sent to Kafka (MQ_MAX_MESSAGE_BYTES); it is kept whole on ${world.deadLetterQueue}`;
    const text = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();
    const raw = (await readTopic(world.raw)).filter((m) => m.value === null);
    expect(
      raw.map((m) => [m.key?.toString(), text(m, 'mq-payload-bytes'), text(m, 'mq-payload-sha256')]),
    ).toEqual([['m-150', stands['mq-payload-bytes'], stands['mq-payload-sha256']]]);
    const kafkaDead = await readTopic(world.dlq);
    expect(
      kafkaDead.map((m) => [
        m.key?.toString(),
        m.value,
        text(m, 'dlq-reason'),
        text(m, 'dlq-message'),
        text(m, 'mq-payload-sha256'),
      ]),
    ).toEqual([['m-150', null, 'PAYLOAD_TOO_LARGE', detail, stands['mq-payload-sha256']]]);
    const mqDead = await drainQueue(world.deadLetterQueue);
    expect(
      mqDead.map((m) => [
        m.properties.headers?.['x-dead-letter-reason'],
        m.properties.headers?.['x-dead-letter-detail'],
      ]),
    ).toEqual([['PAYLOAD_TOO_LARGE', detail]]);
    expect(mqDead[0]?.content.equals(large)).toBe(true);
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
