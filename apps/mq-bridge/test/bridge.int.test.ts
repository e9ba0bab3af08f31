import { createCodec } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { expectOrderlyStop, stackEndpoints } from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BridgeWorld,
  createBridgeWorld,
  drainQueue,
  generateMovements,
  movementPayload,
  publish,
  publishMovements,
  queueDepth,
  type RunningBridge,
  readTopic,
  startBridge,
  waitForRecords,
} from './support.ts';

describe('mq-bridge with real RabbitMQ and Kafka', () => {
  let world: BridgeWorld;
  let bridge: RunningBridge;
  // Recent (inside the dedup horizon), whole seconds (the copybook's resolution).
  const movedAt = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

  beforeAll(async () => {
    world = await createBridgeWorld();
    bridge = startBridge(world);
  });
  afterAll(async () => {
    bridge?.child.kill('SIGTERM');
    await bridge?.exited;
  });

  it('maps both formats field by field and keeps every raw payload; bad records are dead-lettered with their reason on both sides', async () => {
    const good = [
      movementPayload({
        txnId: 'TX-1',
        moveCode: 'REC',
        warehouse: 'W-1',
        sku: 'SKU-A',
        quantity: 40,
        movedAt,
        json: false,
      }),
      movementPayload({
        txnId: 'TX-2',
        moveCode: 'ADJ',
        warehouse: 'W-2',
        sku: 'SKU-B',
        quantity: -2,
        movedAt,
        json: true,
      }),
    ];
    const bad = [
      { content: Buffer.from('MVREC too short'), contentType: 'text/plain' },
      movementPayload({
        txnId: 'TX-3',
        moveCode: 'XYZ',
        warehouse: 'W-1',
        sku: 'SKU-A',
        quantity: 1,
        movedAt,
        json: false,
      }),
      { content: Buffer.from('{"txnId": "TX-4", "sku": '), contentType: 'application/json' },
      movementPayload({
        txnId: 'TX-5',
        moveCode: 'SAL',
        warehouse: 'W-1',
        sku: 'SKU-A',
        quantity: -1,
        movedAt,
        json: true,
      }),
    ];
    const last = movementPayload({
      txnId: 'TX-6',
      moveCode: 'SAL',
      warehouse: 'W-1',
      sku: 'SKU-A',
      quantity: 3,
      movedAt,
      json: false,
    });
    await publish(world.queue, [good[0], bad[0], bad[1], good[1], bad[2], bad[3], last] as typeof good);

    await waitForRecords(world.raw, 7);
    await waitForRecords(world.events, 3);
    await waitFor(async () => (await queueDepth(world.deadLetterQueue)) === 4, {
      description: '4 dead letters on the MQ side',
      timeoutMs: 30_000,
    });
    const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
    const events = await Promise.all(
      (await readTopic(world.events)).map((m) => codec.decode(m.value as Buffer, 'InventoryEvent')),
    );
    expect(events.sort((a, b) => a.eventId.localeCompare(b.eventId))).toEqual([
      {
        eventId: 'mainframe:TX-1',
        type: 'RECEIPT',
        sku: 'SKU-A',
        locationId: 'W-1',
        quantity: 40,
        occurredAt: movedAt,
        recordedAt: expect.any(Number),
        source: 'MAINFRAME',
        sourceRef: 'TX-1',
        clientId: null,
        clientEventId: null,
      },
      {
        eventId: 'mainframe:TX-2',
        type: 'ADJUSTMENT',
        sku: 'SKU-B',
        locationId: 'W-2',
        quantity: -2,
        occurredAt: movedAt,
        recordedAt: expect.any(Number),
        source: 'MAINFRAME',
        sourceRef: 'TX-2',
        clientId: null,
        clientEventId: null,
      },
      expect.objectContaining({ eventId: 'mainframe:TX-6', type: 'SALE', quantity: 3 }),
    ]);
    // The stream went on after the bad records: TX-6 came after all of them.

    const raw = await readTopic(world.raw);
    expect(raw.map((m) => m.value?.toString()).sort()).toEqual(
      [...good, ...bad, last].map((p) => p.content.toString()).sort(),
    );
    const kafkaDead = await readTopic(world.dlq);
    expect(kafkaDead.map((m) => m.headers?.['dlq-reason']?.toString()).sort()).toEqual([
      'BAD_LENGTH',
      'BAD_QUANTITY',
      'MALFORMED_JSON',
      'UNKNOWN_MOVE_CODE',
    ]);
    const mqDead = await drainQueue(world.deadLetterQueue);
    expect(mqDead.map((m) => String(m.properties.headers?.['x-dead-letter-reason'])).sort()).toEqual([
      'BAD_LENGTH',
      'BAD_QUANTITY',
      'MALFORMED_JSON',
      'UNKNOWN_MOVE_CODE',
    ]);
    expect(
      String(
        mqDead.find((m) => m.content.toString().includes('XYZ'))?.properties.headers?.[
          'x-dead-letter-detail'
        ],
      ),
    ).toContain('XYZ');
    // Everything acknowledged; metrics count it.
    expect(await queueDepth(world.queue)).toBe(0);
    expect(await bridge.metric('mq_messages_in_total')).toBe(7);
    expect(await bridge.metric('mq_events_out_total')).toBe(3);
    expect(await bridge.metric('mq_dead_letters_total')).toBe(4);
    expect((await fetch(`http://127.0.0.1:${bridge.port}/readyz`)).status).toBe(200);
  });

  it('stops cleanly on SIGTERM and refuses an unknown setting by name', async () => {
    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
    expect(bridge.output()).not.toContain(stackEndpoints().AMQP_URL);
    const typo = startBridge(world, { MQ_BATCHSIZE: '10' });
    expect(await typo.exited).toBe(1);
    expect(typo.output()).toContain('MQ_BATCHSIZE: unknown setting');
  });

  it('SIGTERM while batches flow: exit 0 within the deadline; what was taken is in Kafka or comes again, none lost', async () => {
    const busy = await createBridgeWorld();
    const sent = generateMovements(20_000, 5, ['W-1', 'W-2']);
    await publishMovements(busy.queue, sent);
    const deadlineMs = 10_000;
    const first = startBridge(busy, {
      MQ_LOG_LEVEL: 'info',
      MQ_SHUTDOWN_TIMEOUT_MS: String(deadlineMs),
      MQ_BATCH_SIZE: '200',
      MQ_PREFETCH: '400',
    });
    await waitFor(async () => (await first.metric('mq_events_out_total').catch(() => 0)) >= 2_000, {
      description: () => `2000 events out (output: ${first.output().slice(-800)})`,
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    await expectOrderlyStop(first, deadlineMs);
    // Stopped mid-stream: the rest waits in the queue for the next start.
    expect(await queueDepth(busy.queue)).toBeGreaterThan(0);
    const second = startBridge(busy);
    await waitForRecords(busy.raw, 20_000, { app: second });
    await waitFor(async () => (await queueDepth(busy.queue)) === 0, {
      description: 'the queue to be drained',
      timeoutMs: 60_000,
    });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const txnIds = new Set((await readTopic(busy.raw)).map((m) => m.key?.toString()));
    expect(txnIds.size).toBe(20_000);
    const sentIds = new Set(sent.map((m) => m.txnId));
    expect([...txnIds].filter((id) => !sentIds.has(id as string))).toEqual([]);
  });
});
