import { createCodec, type InventoryEvent } from '@inventory/codec';
import { delay, waitFor } from '@inventory/core';
import { listDeadLetters, redrive, retryTopicName } from '@inventory/erp-delivery';
import { createProducer } from '@inventory/kafka';
import { type AppProcess, expectOrderlyStop, readTopicRecords, stackEndpoints } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import * as testbed from './support.ts';

const erp = testbed.useErpSimulator();
const kafka = testbed.testKafkaClient();

const distinctOrders = (prefix: string) =>
  new Set(
    erp()
      .received('purchase-orders')
      .map((r) => (r.body as { orderId: string }).orderId)
      .filter((id) => id.startsWith(prefix)),
  );

describe('erp-delivery guarantees', () => {
  it('SIGTERM while deliveries are in flight to a slow ERP: exit 0 within the deadline; a restart delivers every order exactly once', async () => {
    erp().reset();
    erp().setRules([{ route: 'purchase-orders', action: 'slow', delayMs: 300 }]);
    const world = await testbed.createDeliveryWorld({ erpUrl: erp().url, delays: [1_000] });
    const orders = Array.from({ length: 600 }, (_, i) =>
      testbed.testOrder(`stop-${String(i).padStart(4, '0')}`),
    );
    await testbed.publishOrders(kafka, world.purchaseOrders, orders);
    const deadlineMs = 10_000;
    const first = testbed.startDeliveryProcess(world, {
      DELIVERY_LOG_LEVEL: 'info',
      DELIVERY_SHUTDOWN_TIMEOUT_MS: String(deadlineMs),
    });
    await waitFor(() => distinctOrders('stop-').size >= 50, {
      description: () => `50 orders at the ERP (output: ${first.output().slice(-800)})`,
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    await expectOrderlyStop(first, deadlineMs);
    expect(distinctOrders('stop-').size).toBeLessThan(600);
    erp().clearRules();
    const second = testbed.startDeliveryProcess(world);
    try {
      await waitFor(() => distinctOrders('stop-').size === 600, {
        description: () => `600 orders at the ERP (have ${distinctOrders('stop-').size})`,
        timeoutMs: 90_000,
        intervalMs: 200,
      });
      // Once each: a delivery repeated after the stop is answered as a replay, not applied again.
      expect(erp().stats().accepted['purchase-orders']).toBe(600);
      expect(await readTopicRecords(world.deadLetter)).toBe(0);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('ERP down for a minute while 1,000 orders flow: every order delivered exactly once after it is back (default 5/15/45 s retries)', async () => {
    erp().reset();
    const world = await testbed.createDeliveryWorld({ erpUrl: erp().url, delays: [5_000, 15_000, 45_000] });
    const delivery = await testbed.startDelivery(world);
    try {
      await waitFor(() => delivery.app.deliverer.ready(), {
        description: 'consumers joined',
        timeoutMs: 60_000,
      });
      erp().setRules([{ action: 'down' }]);
      const outageStart = Date.now();
      const orders = Array.from({ length: 1000 }, (_, i) =>
        testbed.testOrder(`outage-${String(i).padStart(4, '0')}`, 1 + (i % 3)),
      );
      for (let i = 0; i < orders.length; i += 100) {
        await testbed.publishOrders(kafka, world.purchaseOrders, orders.slice(i, i + 100));
      }
      // While the ERP is down every order fails, moves through the stages and none is lost or delivered.
      const retried = async (stage: string) =>
        (await delivery.metrics.retried.get()).values
          .filter((v) => v.labels.stage === stage)
          .reduce((s, v) => s + v.value, 0);
      await waitFor(async () => (await retried('3')) === 1000, {
        description: 'all 1,000 orders waiting in the last retry stage',
        timeoutMs: 60_000,
        intervalMs: 500,
      });
      expect(erp().stats().accepted['purchase-orders']).toBe(0);
      expect(erp().stats().failuresInjected).toBeGreaterThanOrEqual(3000);
      // The rest of the minute is the scenario (an outage of that length), not a synchronisation.
      await delay(Math.max(0, outageStart + 60_000 - Date.now()));
      erp().clearRules();
      await waitFor(() => distinctOrders('outage-').size === 1000, {
        description: () => `1,000 orders at the ERP (have ${distinctOrders('outage-').size})`,
        timeoutMs: 90_000,
        intervalMs: 500,
      });
      expect(erp().stats().accepted['purchase-orders']).toBe(1000);
      expect(await readTopicRecords(world.deadLetter)).toBe(0);
      const delivered = (await delivery.metrics.delivered.get()).values.reduce((s, v) => s + v.value, 0);
      expect(delivered).toBe(1000);
    } finally {
      await delivery.stop();
    }
  }, 240_000);

  it('kill -9 of the service while orders and sales flow and the ERP fails now and then: nothing lost, sold quantities exact, duplicates absorbed', async () => {
    erp().reset();
    const world = await testbed.createDeliveryWorld({
      erpUrl: erp().url,
      delays: [300, 600, 1_200],
      summarize: true,
      env: {
        DELIVERY_PERIOD_MS: '2000',
        DELIVERY_PERIOD_GRACE_MS: '500',
        DELIVERY_CLOSE_INTERVAL_MS: '300',
        DELIVERY_SESSION_TIMEOUT_MS: '6000',
      },
    });
    erp().setRules([{ action: 'status', status: 503, times: 300 }]);
    const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
    const producer = createProducer(kafka);
    await producer.connect();
    const skus = ['ACME-1', 'ACME-2', 'ACME-3', 'ZETA-1', 'ZETA-2', 'OTHER-1'];
    const expected = new Map<string, { sold: number; returned: number }>();
    let service: AppProcess = testbed.startDeliveryProcess(world);
    const kills: number[] = [];
    try {
      let sequence = 0;
      for (let round = 0; round < 20; round++) {
        const events: InventoryEvent[] = Array.from({ length: 50 }, () => {
          const n = sequence++;
          const sku = skus[n % skus.length] as string;
          const type = n % 10 === 0 ? 'RETURN' : 'SALE';
          const quantity = 1 + (n % 4);
          const sums = expected.get(sku) ?? { sold: 0, returned: 0 };
          if (type === 'SALE') sums.sold += quantity;
          else sums.returned += quantity;
          expected.set(sku, sums);
          return {
            eventId: `store:g:${n}`,
            type,
            sku,
            locationId: 'STORE-001',
            quantity,
            occurredAt: Date.now(),
            recordedAt: Date.now(),
            source: 'STORE',
            sourceRef: null,
            clientId: 'g',
            clientEventId: String(n),
          };
        });
        const values = await codec.encodeAll(`${world.events}-value`, 'InventoryEvent', events);
        await producer.send({
          topic: world.events,
          acks: -1,
          messages: events.map((e, i) => ({ key: e.sku, value: values[i] as Buffer })),
        });
        await testbed.publishOrders(
          kafka,
          world.purchaseOrders,
          Array.from({ length: 100 }, (_, i) => testbed.testOrder(`kill-${round}-${i}`)),
        );
        if (round % 6 === 3) {
          // Once it has delivered something since the last restart, kill it mid-stream.
          const before = erp().stats().accepted['purchase-orders'];
          await waitFor(() => erp().stats().accepted['purchase-orders'] > before, {
            description: () => `deliveries after the restart; log: ${service.output().slice(-2000)}`,
            timeoutMs: 60_000,
          });
          service.child.kill('SIGKILL');
          await service.exited;
          kills.push(round);
          service = testbed.startDeliveryProcess(world);
        }
      }
      expect(kills.length).toBe(3);
      // 300 injected 503s can fail a record four times in a row (a crash repeats attempts), and
      // then it is dead-lettered, as it must be. Nothing may be lost: what is not delivered is
      // in the dead-letter topic, and a redrive delivers it. New dead letters are redriven as
      // they come (overlapping windows: a redrive twice is harmless).
      const topics = { deadLetter: world.deadLetter, firstRetry: retryTopicName(world.retryPrefix, 1) };
      let redrivenFrom = 0;
      const redriveNew = async () => {
        const now = Date.now();
        await redrive(kafka, producer, topics, { from: redrivenFrom });
        redrivenFrom = now - 10_000;
      };
      const settled = async (done: () => boolean) => {
        if (done()) return true;
        await redriveNew();
        return false;
      };
      await waitFor(() => settled(() => distinctOrders('kill-').size === 2000), {
        description: () =>
          `2,000 orders at the ERP (have ${distinctOrders('kill-').size}); log: ${service.output().slice(-2000)}`,
        timeoutMs: 120_000,
        intervalMs: 1_000,
      });
      const totals = (kind: 'sold-quantities' | 'supplier-sold-quantities') =>
        testbed.receivedSoldTotals(erp(), kind);
      const sorted = testbed.sortedJson;
      const wanted = sorted(expected);
      await waitFor(() => settled(() => sorted(totals('sold-quantities')) === wanted), {
        description: () =>
          `sold quantities at the ERP ${sorted(totals('sold-quantities'))} to equal ${wanted}; log: ${service.output().slice(-3000)}`,
        timeoutMs: 60_000,
        intervalMs: 1_000,
      });
      const supplierWanted = sorted([...expected].filter(([sku]) => !sku.startsWith('OTHER')));
      await waitFor(() => settled(() => sorted(totals('supplier-sold-quantities')) === supplierWanted), {
        description: () => `sold quantities at the suppliers ${sorted(totals('supplier-sold-quantities'))}`,
        timeoutMs: 60_000,
        intervalMs: 1_000,
      });
      for (const r of erp().received('supplier-sold-quantities')) {
        const body = r.body as { sku: string; supplierId: string };
        expect(body.supplierId).toBe(body.sku.startsWith('ACME') ? 'SUP-ACME' : 'SUP-ZETA');
      }
      // Only the injected 503s ever failed a delivery for good; no key was reused with another body.
      for (const letter of await listDeadLetters(kafka, world.deadLetter)) {
        expect([letter.reason, letter.lastError.slice(0, 8)]).toEqual(['RETRIES_EXHAUSTED', 'HTTP 503']);
      }
      expect(erp().stats().accepted['purchase-orders']).toBe(2000);
      expect(erp().stats().conflicts).toBe(0);
      expect(erp().stats().failuresInjected).toBe(300);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
      await producer.disconnect();
    }
  }, 300_000);
});
