import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createCodec } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { listDeadLetters, redrive, retryTopicName } from '@inventory/erp-delivery';
import { type ErpSimulator, startErpSimulator } from '@inventory/erp-simulator';
import { createProducer } from '@inventory/kafka';
import { readTopicRecords, runJsonCli, stackEndpoints, stackKafkaEnv } from '@inventory/testkit';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDeliveryWorld,
  type DeliveryWorld,
  erpToken,
  type InProcessDelivery,
  publishOrders,
  startDelivery,
  testKafkaClient,
  testOrder,
} from './support.ts';

describe('erp-delivery: retries, dead letters and redrive (real Kafka, real HTTP)', () => {
  let erp: ErpSimulator;
  let world: DeliveryWorld;
  let delivery: InProcessDelivery;
  let kafka: Kafka;

  beforeAll(async () => {
    erp = await startErpSimulator({ token: erpToken });
    world = await createDeliveryWorld({ erpUrl: erp.url, delays: [300, 600, 900] });
    kafka = testKafkaClient();
    delivery = await startDelivery(world, { DELIVERY_REQUEST_TIMEOUT_MS: '1000' });
    await waitFor(() => delivery.app.deliverer.ready(), {
      description: 'delivery consumers joined',
      timeoutMs: 60_000,
    });
  });

  afterAll(async () => {
    await delivery?.stop();
    await erp?.close();
  });

  const accepted = (orderId: string) =>
    erp.received('purchase-orders').filter((r) => (r.body as { orderId: string }).orderId === orderId);

  it('delivers a purchase order with its idempotency key and ISO times', async () => {
    await publishOrders(kafka, world.purchaseOrders, [testOrder('order-ok-1', 2)]);
    const [record] = await waitFor(() => accepted('order-ok-1').length === 1 && accepted('order-ok-1'), {
      description: 'order-ok-1 at the ERP',
      timeoutMs: 30_000,
    });
    expect(record?.idempotencyKey).toBe('po-order-ok-1');
    expect(record?.body).toMatchObject({
      orderId: 'order-ok-1',
      confirmedAt: '2026-12-01T09:00:00.000Z',
      lines: [{ lineNo: 1, reservationId: 'order-ok-1:1' }, { lineNo: 2 }],
    });
  });

  it('sends a failing order through every retry stage to the dead-letter topic; the stream goes on; redrive delivers once', async () => {
    erp.setRules([
      { route: 'purchase-orders', match: 'order-flaky', action: 'status', status: 503 },
      { route: 'purchase-orders', match: 'order-invalid', action: 'status', status: 422 },
    ]);
    const sentAt = Date.now();
    await publishOrders(kafka, world.purchaseOrders, [
      testOrder('order-flaky'),
      testOrder('order-invalid'),
      testOrder('order-after'),
    ]);
    // The orders behind the failing ones are not held up.
    await waitFor(() => accepted('order-after').length === 1, {
      description: 'order-after delivered',
      timeoutMs: 30_000,
    });
    const letters = await waitFor(
      async () => {
        const all = await listDeadLetters(kafka, world.deadLetter);
        return all.length === 2 && all;
      },
      { description: 'two dead letters', timeoutMs: 60_000, intervalMs: 500 },
    );
    const byKey = new Map(letters.map((d) => [d.key, d]));
    const flaky = byKey.get('order-flaky');
    const invalid = byKey.get('order-invalid');
    // 503 is retriable: first attempt plus one per stage, then dead-lettered.
    expect(flaky).toMatchObject({ reason: 'RETRIES_EXHAUSTED', attempts: 4, destination: 'erp' });
    expect(flaky?.lastError).toContain('HTTP 503');
    expect(flaky?.original).toMatch(new RegExp(`^${world.purchaseOrders.replace(/\./g, '\\.')}/\\d@\\d+$`));
    expect(flaky?.time).toBeGreaterThanOrEqual(sentAt + 300 + 600 + 900);
    // 422 cannot succeed by repeating it: dead-lettered after one attempt.
    expect(invalid).toMatchObject({ reason: 'RECEIVER_REJECTED', attempts: 1 });
    expect(invalid?.lastError).toContain('HTTP 422');
    expect(accepted('order-flaky')).toEqual([]);
    expect(accepted('order-invalid')).toEqual([]);
    const retried = await delivery.metrics.retried.get();
    const byStage = (stage: string) =>
      retried.values.filter((v) => v.labels.stage === stage).reduce((sum, v) => sum + v.value, 0);
    expect([byStage('1'), byStage('2'), byStage('3')]).toEqual([1, 1, 1]);
    for (let stage = 1; stage <= 3; stage++)
      expect(await readTopicRecords(retryTopicName(world.retryPrefix, stage))).toBe(1);

    // The ERP is fixed; only the flaky order is selected by its key.
    erp.clearRules();
    const producer = createProducer(kafka);
    await producer.connect();
    try {
      const topics = { deadLetter: world.deadLetter, firstRetry: retryTopicName(world.retryPrefix, 1) };
      const moved = await redrive(kafka, producer, topics, { key: 'order-flaky' });
      expect(moved.map((d) => d.key)).toEqual(['order-flaky']);
      await waitFor(() => accepted('order-flaky').length === 1, {
        description: 'order-flaky redriven',
        timeoutMs: 30_000,
      });
      expect(accepted('order-invalid')).toEqual([]);
      // A second redrive of everything: the invalid order arrives, the flaky one is a replay the ERP absorbs.
      const again = await redrive(kafka, producer, topics, { from: sentAt });
      expect(again.map((d) => d.key).sort()).toEqual(['order-flaky', 'order-invalid']);
      await waitFor(() => accepted('order-invalid').length === 1 && accepted('order-flaky')[0]?.calls === 2, {
        description: 'second redrive delivered',
        timeoutMs: 30_000,
      });
    } finally {
      await producer.disconnect();
    }
    expect(erp.stats().accepted['purchase-orders']).toBe(4);
    expect(await listDeadLetters(kafka, world.deadLetter, { to: sentAt })).toEqual([]);
  });

  it('absorbs the duplicate when a call timed out but the ERP had applied it', async () => {
    // The ERP answers after 2.5 s, past the 1 s deadline; the retry arrives while it still works.
    erp.setRules([
      { route: 'purchase-orders', match: 'order-slow', action: 'slow', delayMs: 2_500, times: 1 },
    ]);
    await publishOrders(kafka, world.purchaseOrders, [testOrder('order-slow')]);
    await waitFor(() => accepted('order-slow')[0]?.calls === 2, {
      description: 'the timed-out call and its retry both at the ERP',
      timeoutMs: 30_000,
    });
    expect(accepted('order-slow')).toHaveLength(1);
    const timeouts = (await delivery.metrics.retried.get()).values.filter(
      (v) => v.labels.code === 'RECEIVER_TIMEOUT',
    );
    expect(timeouts.reduce((sum, v) => sum + v.value, 0)).toBe(1);
    erp.clearRules();
  });

  it('retries a supplier on its own: the ERP is called once while the supplier is down', async () => {
    erp.setRules([{ route: 'supplier-sold-quantities', action: 'status', status: 503, times: 2 }]);
    const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
    const sold = {
      sku: 'ACME-77',
      supplierId: 'SUP-ACME',
      periodStart: Date.parse('2026-12-01T08:00:00Z'),
      periodEnd: Date.parse('2026-12-01T09:00:00Z'),
      sold: 12,
      returned: 1,
      events: 5,
    };
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: world.soldQuantities,
      acks: -1,
      messages: [
        {
          key: 'ACME-77|SUP-ACME|2026-12-01T08:00:00.000Z',
          value: await codec.encode(`${world.soldQuantities}-value`, 'SoldQuantity', sold),
        },
      ],
    });
    await producer.disconnect();
    const atSupplier = await waitFor(() => erp.received('supplier-sold-quantities')[0], {
      description: 'the supplier got the sold quantity',
      timeoutMs: 30_000,
    });
    expect(atSupplier).toMatchObject({
      idempotencyKey: 'sold-ACME-77|SUP-ACME|2026-12-01T08:00:00.000Z',
      calls: 1,
      body: {
        sku: 'ACME-77',
        supplierId: 'SUP-ACME',
        sold: 12,
        returned: 1,
        periodStart: '2026-12-01T08:00:00.000Z',
      },
    });
    expect(erp.received('sold-quantities')).toMatchObject([{ calls: 1, body: { sku: 'ACME-77', sold: 12 } }]);
    expect(erp.stats().requests['sold-quantities']).toBe(1);
    expect(erp.stats().requests['supplier-sold-quantities']).toBe(3);
    erp.clearRules();
  });

  it('dead-letters a record that is not a purchase order, and goes on', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: world.purchaseOrders,
      messages: [{ key: 'junk', value: Buffer.from('not avro') }],
    });
    await producer.disconnect();
    await publishOrders(kafka, world.purchaseOrders, [testOrder('order-after-junk')]);
    await waitFor(() => accepted('order-after-junk').length === 1, {
      description: 'order after junk',
      timeoutMs: 30_000,
    });
    const junk = await waitFor(
      async () => (await listDeadLetters(kafka, world.deadLetter, { key: 'junk' }))[0],
      { description: 'junk dead-lettered', timeoutMs: 30_000 },
    );
    expect(junk).toMatchObject({ reason: 'UNDECODABLE', attempts: 0 });
    expect(junk.lastError).toContain('cannot decode');
  });

  it('lists dead letters from the command line', () => {
    const cli = fileURLToPath(new URL('../src/dlq-cli.ts', import.meta.url));
    // With the app's Kafka settings (TLS, SCRAM), beside a setting of the app it does not read.
    const { rows, stderr } = runJsonCli(cli, ['list', '--json', '--key', 'order-invalid'], {
      ...stackKafkaEnv('DELIVERY'),
      DELIVERY_ERP_URL: 'http://127.0.0.1:1',
      DELIVERY_DLQ_TOPIC: world.deadLetter,
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      key: 'order-invalid',
      reason: 'RECEIVER_REJECTED',
      destination: 'erp',
      attempts: 1,
    });
    expect(stderr).toContain('1 dead letter(s)');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', cli, 'list', '--from', 'yesterday'], {
      env: { ...process.env, ...stackKafkaEnv('DELIVERY') },
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--from: not an ISO-8601 time');
  });
});
