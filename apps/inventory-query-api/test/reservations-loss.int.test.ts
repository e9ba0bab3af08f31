import { createCodec, type InventoryEvent, type Reservation } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { tickCommand } from '@inventory/inventory-aggregator';
import {
  createWorld,
  expectCompactedExact,
  generateEvents,
  produceEvents,
  type RunningAggregator,
  readModel,
  reference,
  startAggregator,
  waitDrained,
} from '@inventory/inventory-aggregator-test';
import { createProducer, readToEnd } from '@inventory/kafka';
import { PrivateRedis, stackEndpoints, testKafka, uniqueName } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestQueryApi } from './support.ts';

/**
 * Redis lost (FLUSHALL) while three aggregator instances fold and 20 reservations are held:
 * the partitions are restored from Kafka (state, count journals, reservations), so the held
 * reservations can still be released, committed and expired, and every figure ends exact.
 */
describe('Redis lost with three instances and open reservations', () => {
  const privateRedis = new PrivateRedis();
  const running: RunningAggregator[] = [];
  afterAll(async () => {
    for (const a of running) a.child.kill('SIGKILL');
    await privateRedis.stop();
  });

  it('FLUSHALL mid-stream: restored state, reservations released, committed and expired; the numbers equal the reference', async () => {
    await privateRedis.start();
    const redis = privateRedis.client();
    const world = await createWorld(6);
    world.env.AGG_REDIS_URL = privateRedis.url;
    const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
    const t0 = Date.now() - 2 * 3_600_000;
    const stock: InventoryEvent = {
      eventId: `loadgen:${world.prefix}-stock`,
      type: 'COUNT',
      sku: 'SKU-HELD',
      locationId: 'W-1',
      quantity: 1_000,
      occurredAt: t0,
      recordedAt: t0,
      source: 'LOADGEN',
      sourceRef: null,
      clientId: null,
      clientEventId: null,
    };
    const events = generateEvents(30_000, 31);
    await produceEvents(world, [stock, ...events.slice(0, 10_000)]);
    for (let i = 0; i < 3; i++) running.push(startAggregator(world));
    await waitDrained(redis, world);
    const api = await buildTestQueryApi(world, { QUERY_REDIS_URL: privateRedis.url });
    try {
      const ids = Array.from({ length: 20 }, (_, i) => `${world.prefix}-held-${i}`);
      for (const reservationId of ids) {
        const reserved = await api.call('POST', '/v1/reservations', {
          reservationId,
          sku: 'SKU-HELD',
          quantity: 1,
          locationId: 'W-1',
          ttlSeconds: 3_600,
        });
        expect(reserved.statusCode, reserved.body).toBe(201);
      }
      expect((await api.call('GET', '/v1/availability/SKU-HELD')).json()).toMatchObject({
        onHand: 1_000,
        reserved: 20,
      });

      // Redis loses everything while the rest of the stream flows.
      await produceEvents(world, events.slice(10_000));
      await redis.flushall();
      await waitDrained(redis, world);
      expect((await api.call('GET', '/v1/availability/SKU-HELD')).json()).toMatchObject({
        onHand: 1_000,
        reserved: 20,
      });

      for (const id of ids.slice(0, 5)) {
        const released = await api.call('DELETE', `/v1/reservations/${id}`);
        expect([released.statusCode, released.json().status]).toEqual([200, 'RELEASED']);
      }
      for (const id of ids.slice(5, 10)) {
        const committed = await api.call('POST', `/v1/reservations/${id}/commit`);
        expect([committed.statusCode, committed.json().status]).toEqual([200, 'COMMITTED']);
      }
      // The clock two hours on: the ten still held expire.
      const producer = createProducer(testKafka());
      await producer.connect();
      const tick = await codec.encode(
        `${world.commands}-value`,
        'ReservationCommand',
        tickCommand(Date.now() + 2 * 3_600_000),
      );
      await producer.send({
        topic: world.commands,
        messages: Array.from({ length: 6 }, (_, partition) => ({ partition, value: tick })),
      });
      await producer.disconnect();
      await waitFor(async () => (await api.call('GET', '/v1/availability/SKU-HELD')).json().reserved === 0, {
        description: 'the held reservations to be released, committed or expired',
        timeoutMs: 60_000,
      });
      await waitDrained(redis, world);

      const expected = reference([stock, ...events]);
      expected.set('SKU-HELD|W-1', 1_000 - 5);
      expect((await readModel(redis, world)).onHand).toEqual(expected);
      await expectCompactedExact(world, expected);
      expect((await api.call('GET', '/v1/availability/SKU-HELD')).json()).toMatchObject({
        onHand: 995,
        reserved: 0,
        available: 995,
      });
      // The reservations topic: the newest record of each says how it ended.
      const newest = new Map<string, Reservation>();
      await readToEnd(
        testKafka(),
        world.reservations,
        async (message) => {
          const r = await codec.decode(message.value as Buffer, 'Reservation');
          if ((newest.get(r.reservationId)?.version ?? 0) < r.version) newest.set(r.reservationId, r);
        },
        { groupPrefix: uniqueName('read-reservations') },
      );
      expect(ids.map((id) => newest.get(id)?.status)).toEqual([
        ...Array(5).fill('RELEASED'),
        ...Array(5).fill('COMMITTED'),
        ...Array(10).fill('EXPIRED'),
      ]);
      let rebuilt = 0;
      for (const a of running) rebuilt += await a.metric('aggregator_partition_rebuilds_total');
      // Each of the six partitions was restored once at the first start (Redis empty) and once
      // after the loss, each time by the one instance that owned it.
      expect(rebuilt).toBe(12);
    } finally {
      await api.close();
      redis.disconnect();
    }
  });
});
