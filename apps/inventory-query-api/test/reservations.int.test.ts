import {
  createCodec,
  type InventoryEvent,
  type PurchaseOrder,
  type ReservationCommand,
  type SkuAvailability,
} from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { platformEvent } from '@inventory/domain';
import { useWorld } from '@inventory/inventory-aggregator-test';
import { createProducer, readToEnd } from '@inventory/kafka';
import { createTestTopic, stackEndpoints, testKafka } from '@inventory/testkit';
import type { FastifyInstance } from 'fastify';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestQueryApi, type TestQueryApi } from './support.ts';

/**
 * Reservations end to end: the API sends commands, the real aggregator process decides
 * them against the state it folded, and the API answers from the outcomes.
 */
describe('reservations and orders end to end', () => {
  const folded = useWorld({
    events: () => [
      stock('SKU-RUSH', 'W-1', 50, 1),
      stock('SKU-RETRY', 'W-1', 10, 2),
      stock('SKU-LIFE', 'W-1', 10, 3),
      stock('SKU-O1', 'S-1', 5, 4),
      stock('SKU-O2', 'S-2', 3, 5),
      stock('SKU-ANY', 'S-1', 2, 6),
      stock('SKU-ANY', 'W-1', 6, 7),
    ],
  });
  const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
  let purchaseOrders: string;
  let api: FastifyInstance;
  let reservationApi: TestQueryApi;
  let producer: Producer;
  const t0 = Date.now() - 60 * 60_000;
  const stock = (sku: string, locationId: string, quantity: number, i: number): InventoryEvent =>
    platformEvent('LOADGEN', `stock-${t0}-${sku}-${locationId}`, {
      type: 'COUNT',
      sku,
      locationId,
      quantity,
      occurredAt: t0 + i,
    });
  const call: TestQueryApi['call'] = (method, url, body, key) => reservationApi.call(method, url, body, key);
  const availability = async (sku: string) => (await call('GET', `/v1/availability/${sku}`)).json();
  /** Every record of a topic so far, decoded, in offset order per partition. */
  const published = async <N extends 'SkuAvailability' | 'PurchaseOrder'>(topic: string, schema: N) => {
    const values: (N extends 'SkuAvailability' ? SkuAvailability : PurchaseOrder)[] = [];
    await readToEnd(
      testKafka(),
      topic,
      async (message) => {
        if (message.value) values.push((await codec.decode(message.value, schema)) as never);
      },
      { groupPrefix: folded.world.groupId },
    );
    return values;
  };

  beforeAll(async () => {
    purchaseOrders = await createTestTopic('purchase-orders', 3);
    await folded.aggregator.ready();
    reservationApi = await buildTestQueryApi(folded.world, {
      QUERY_PURCHASE_ORDERS_TOPIC: purchaseOrders,
      QUERY_RESERVATION_TIMEOUT_MS: '20000',
    });
    api = reservationApi.api;
    producer = createProducer(testKafka());
    await producer.connect();
  });
  afterAll(async () => {
    await reservationApi?.close();
    await producer?.disconnect();
  });

  it('200 concurrent reservations of 1 for 50 available: exactly 50 confirmed, 150 refused, never below 0', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call('POST', '/v1/reservations', {
          reservationId: `rush-${i}`,
          sku: 'SKU-RUSH',
          quantity: 1,
          locationId: 'W-1',
        }),
      ),
    );
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 409)).toHaveLength(150);
    const refusal = answers.find((a) => a.statusCode === 409)?.json();
    expect(refusal.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', available: 0 });
    expect(answers.find((a) => a.statusCode === 201)?.json()).toMatchObject({
      status: 'CONFIRMED',
      locationId: 'W-1',
      quantity: 1,
      expiresAt: expect.any(String),
    });
    expect(await availability('SKU-RUSH')).toMatchObject({
      onHand: 50,
      reserved: 50,
      available: 0,
      inStock: false,
    });
    // Every published state of the sku, in order: reserved only grew, available never went below zero.
    const states = (await published(folded.world.availability, 'SkuAvailability')).filter(
      (v) => v.sku === 'SKU-RUSH',
    );
    expect(states.at(-1)).toMatchObject({ reserved: 50, available: 0 });
    const reserved = states.map((v) => v.reserved);
    expect(reserved).toEqual([...reserved].sort((a, b) => a - b));
    expect(Math.min(...states.map((v) => v.available))).toBe(0);
  });

  it('a retried reservationId gets the same answer and holds once; reused for another sku it is refused', async () => {
    const request = { reservationId: 'retry-1', sku: 'SKU-RETRY', quantity: 4, locationId: 'W-1' };
    const first = await call('POST', '/v1/reservations', request);
    const again = await call('POST', '/v1/reservations', request);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await availability('SKU-RETRY')).toMatchObject({ reserved: 4, available: 6 });
    const reused = await call('POST', '/v1/reservations', { ...request, sku: 'SKU-LIFE' });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('release, commit and expiry change the figures exactly; final reservations refuse further changes', async () => {
    const reserve = (reservationId: string, quantity: number, ttlSeconds = 600) =>
      call('POST', '/v1/reservations', {
        reservationId,
        sku: 'SKU-LIFE',
        quantity,
        locationId: 'W-1',
        ttlSeconds,
      });
    expect((await reserve('life-a', 3)).statusCode).toBe(201);
    expect((await reserve('life-b', 2)).statusCode).toBe(201);
    const c = await reserve('life-c', 1, 60);
    expect(c.statusCode).toBe(201);
    expect(await availability('SKU-LIFE')).toMatchObject({ onHand: 10, reserved: 6, available: 4 });

    const released = await call('DELETE', '/v1/reservations/life-a');
    expect(released.json()).toMatchObject({ status: 'RELEASED', quantity: 3 });
    expect(await availability('SKU-LIFE')).toMatchObject({ onHand: 10, reserved: 3, available: 7 });

    const committed = await call('POST', '/v1/reservations/life-b/commit');
    expect(committed.json()).toMatchObject({ status: 'COMMITTED' });
    // The committed units stay reserved until their sale is folded, then leave onHand too.
    await waitFor(async () => (await availability('SKU-LIFE')).onHand === 8, {
      description: 'the sale of the committed reservation to be folded',
      timeoutMs: 30_000,
    });
    expect(await availability('SKU-LIFE')).toMatchObject({ onHand: 8, reserved: 1, available: 7 });

    // Expiry: the clock of the sku's partition moves past life-c's expiresAt with a tick.
    const tick: ReservationCommand = {
      type: 'TICK',
      reservationId: '',
      sku: 'SKU-LIFE',
      locationId: null,
      quantity: 0,
      ttlMs: 0,
      issuedAt: Date.parse(c.json().expiresAt) + 1,
      orderId: null,
      requestId: '',
    };
    await producer.send({
      topic: folded.world.commands,
      messages: [
        {
          key: 'SKU-LIFE',
          value: await codec.encode(`${folded.world.commands}-value`, 'ReservationCommand', tick),
        },
      ],
    });
    await waitFor(async () => (await availability('SKU-LIFE')).reserved === 0, {
      description: 'life-c to expire',
      timeoutMs: 30_000,
    });
    expect(await availability('SKU-LIFE')).toMatchObject({ onHand: 8, reserved: 0, available: 8 });

    const again = await call('DELETE', '/v1/reservations/life-a');
    expect(again.statusCode).toBe(200);
    const notActive = await call('DELETE', '/v1/reservations/life-c');
    expect(notActive.statusCode).toBe(409);
    expect(notActive.json().error).toMatchObject({
      code: 'RESERVATION_NOT_ACTIVE',
      reservation: { status: 'EXPIRED' },
    });
    expect((await call('POST', '/v1/reservations/life-b/commit')).statusCode).toBe(200);
    const unknown = await call('DELETE', '/v1/reservations/never-made');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('UNKNOWN_RESERVATION');
  });

  it('an order with one impossible line holds nothing; a possible one is confirmed and published for the ERP', async () => {
    const refused = await call('POST', '/v1/orders', {
      orderId: 'order-no',
      lines: [
        { sku: 'SKU-O1', quantity: 2, locationId: 'S-1' },
        { sku: 'SKU-O2', quantity: 100 },
      ],
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.lines.map((l: { status: string }) => l.status)).toEqual([
      'CONFIRMED',
      'REFUSED',
    ]);
    expect(await availability('SKU-O1')).toMatchObject({ reserved: 0, available: 5 });
    expect(await availability('SKU-O2')).toMatchObject({ reserved: 0, available: 3 });

    const order = {
      orderId: 'order-yes',
      customerRef: 'customer 77',
      lines: [
        { sku: 'SKU-O1', quantity: 2, locationId: 'S-1' },
        { sku: 'SKU-ANY', quantity: 4 },
      ],
    };
    const confirmed = await call('POST', '/v1/orders', order);
    expect(confirmed.statusCode).toBe(201);
    // Without a location the one with most available that covers the line: W-1 (6), not S-1 (2).
    expect(confirmed.json().lines).toMatchObject([
      { lineNo: 1, status: 'CONFIRMED', locationId: 'S-1', reservationId: 'order-yes:1' },
      { lineNo: 2, status: 'CONFIRMED', locationId: 'W-1', reservationId: 'order-yes:2' },
    ]);
    expect(await availability('SKU-ANY')).toMatchObject({ onHand: 8, reserved: 4, available: 4 });
    // A retried order gets the same answer and publishes the identical record again.
    expect((await call('POST', '/v1/orders', order)).json()).toEqual(confirmed.json());
    const orders = await published(purchaseOrders, 'PurchaseOrder');
    expect(orders).toHaveLength(2);
    expect(orders[0]).toEqual(orders[1]);
    expect(orders[0]).toMatchObject({
      orderId: 'order-yes',
      customerRef: 'customer 77',
      lines: [
        { lineNo: 1, sku: 'SKU-O1', locationId: 'S-1', quantity: 2, reservationId: 'order-yes:1' },
        { lineNo: 2, sku: 'SKU-ANY', locationId: 'W-1', quantity: 4, reservationId: 'order-yes:2' },
      ],
    });
  });

  it('401, 403 without the reservations scope, 400 naming each bad field', async () => {
    expect((await api.inject({ method: 'POST', url: '/v1/reservations' })).statusCode).toBe(401);
    const noScope = await call(
      'POST',
      '/v1/reservations',
      { reservationId: 'x', sku: 'SKU-RUSH', quantity: 1 },
      'store-key',
    );
    expect(noScope.statusCode).toBe(403);
    const bad = await call('POST', '/v1/reservations', {
      reservationId: 'has space',
      sku: 'SKU-RUSH',
      quantity: 0,
      ttlSeconds: 10 ** 6,
    });
    expect(bad.statusCode).toBe(400);
    expect((bad.json().error.details as { path: string }[]).map((d) => d.path).sort()).toEqual([
      'body/quantity',
      'body/reservationId',
      'body/ttlSeconds',
    ]);
    const emptyOrder = await call('POST', '/v1/orders', { orderId: 'o', lines: [] });
    expect(emptyOrder.statusCode).toBe(400);
  });
});
