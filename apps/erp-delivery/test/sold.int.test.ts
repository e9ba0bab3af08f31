import { createCodec, type InventoryEvent } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { createProducer } from '@inventory/kafka';
import { readTopicRecords, stackEndpoints, TcpGate } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import * as testbed from './support.ts';

const erp = testbed.useErpSimulator();
const kafka = testbed.testKafkaClient();

const sale = (n: number, overrides: Partial<InventoryEvent> = {}): InventoryEvent => ({
  eventId: `store:dup-tills:sale-${n}`,
  type: n % 9 === 0 ? 'RETURN' : 'SALE',
  sku: `ACME-${n % 5}`,
  locationId: 'STORE-001',
  quantity: 1 + (n % 3),
  occurredAt: Date.now() - 60_000,
  recordedAt: Date.now(),
  source: 'STORE',
  sourceRef: null,
  clientId: 'dup-tills',
  clientEventId: `sale-${n}`,
  ...overrides,
});

describe('erp-delivery: sold quantities count what the aggregator counts', () => {
  it("a store's retries, redeliveries and poison on the stream: each eventId summed once, poison left out", async () => {
    erp().reset();
    const world = await testbed.createDeliveryWorld({
      erpUrl: erp().url,
      delays: [300],
      summarize: true,
      env: { DELIVERY_PERIOD_MS: '2000', DELIVERY_PERIOD_GRACE_MS: '500', DELIVERY_CLOSE_INTERVAL_MS: '300' },
    });
    const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
    const originals = Array.from({ length: 300 }, (_, i) => sale(i));
    // A store retrying after a lost answer: the same events, accepted again (a later recordedAt).
    const retried = originals.slice(0, 100).map((e) => ({ ...e, recordedAt: e.recordedAt + 5_000 }));
    // Redelivered as they were.
    const redelivered = originals.slice(200, 220);
    // An id of the platform's own namespace from a store, and one too old to deduplicate: both
    // dead-lettered by the aggregator, so never summed.
    const foreign = sale(1_000, { eventId: 'reservation-sale:r-1' });
    const old = sale(1_001, { occurredAt: Date.now() - 9 * 86_400_000 });
    const events = [...originals, ...retried, ...redelivered, foreign, old];
    const values = await codec.encodeAll(`${world.events}-value`, 'InventoryEvent', events);
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({
      topic: world.events,
      acks: -1,
      messages: [
        ...events.map((e, i) => ({ key: e.sku, value: values[i] as Buffer })),
        { key: 'ACME-1', value: Buffer.from('not avro') },
      ],
    });
    await producer.disconnect();
    const expected = new Map<string, { sold: number; returned: number }>();
    for (const e of originals) {
      const sums = expected.get(e.sku) ?? { sold: 0, returned: 0 };
      if (e.type === 'SALE') sums.sold += e.quantity;
      else sums.returned += e.quantity;
      expected.set(e.sku, sums);
    }
    const delivery = await testbed.startDelivery(world);
    try {
      const totals = () => testbed.receivedSoldTotals(erp(), 'sold-quantities');
      const sorted = testbed.sortedJson;
      await waitFor(() => sorted(totals()) === sorted(expected), {
        description: () => `sold quantities at the ERP ${sorted(totals())} to equal ${sorted(expected)}`,
        timeoutMs: 60_000,
        intervalMs: 300,
      });
      const sum = async (metric: { get(): Promise<{ values: { value: number }[] }> }) =>
        (await metric.get()).values.reduce((s, v) => s + v.value, 0);
      expect(await sum(delivery.metrics.soldDuplicates)).toBe(120);
      expect(await sum(delivery.metrics.soldSkipped)).toBe(3);
      expect(await sum(delivery.metrics.soldEvents)).toBe(300);
    } finally {
      await delivery.stop();
    }
  });

  it('the schema registry unreachable: nothing is dead-lettered; every order is delivered once when it is back', async () => {
    erp().reset();
    const registry = new URL(stackEndpoints().SCHEMA_REGISTRY_URL as string);
    const gate = new TcpGate(registry.hostname, Number(registry.port));
    const port = await gate.start();
    gate.cut();
    const world = await testbed.createDeliveryWorld({ erpUrl: erp().url, delays: [300, 600] });
    const orders = Array.from({ length: 50 }, (_, i) => testbed.testOrder(`registry-${i}`));
    await testbed.publishOrders(kafka, world.purchaseOrders, orders);
    const service = testbed.startDeliveryProcess(world, {
      DELIVERY_SCHEMA_REGISTRY_URL: `http://127.0.0.1:${port}${registry.pathname}`,
      DELIVERY_LOG_LEVEL: 'warn',
    });
    try {
      await waitFor(() => service.output().includes('the batch waits and retries'), {
        description: () => `the service to wait for the registry (output: ${service.output().slice(-800)})`,
        timeoutMs: 60_000,
      });
      expect(erp().stats().accepted['purchase-orders']).toBe(0);
      expect(await readTopicRecords(world.deadLetter)).toBe(0);
      gate.restore();
      await waitFor(() => erp().stats().accepted['purchase-orders'] === 50, {
        description: () => `50 orders at the ERP (have ${erp().stats().accepted['purchase-orders']})`,
        timeoutMs: 60_000,
      });
      expect(await readTopicRecords(world.deadLetter)).toBe(0);
      expect(
        new Set(
          erp()
            .received('purchase-orders')
            .map((r) => (r.body as { orderId: string }).orderId),
        ).size,
      ).toBe(50);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
      await gate.stop();
    }
  });
});
