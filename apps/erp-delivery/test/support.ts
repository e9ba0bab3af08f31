import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCodec, type PurchaseOrder } from '@inventory/codec';
import {
  type DeliveryApp,
  type DeliveryMetrics,
  deliveryService,
  parseSuppliers,
  retryTopicName,
} from '@inventory/erp-delivery';
import { type ErpSimulator, startErpSimulator } from '@inventory/erp-simulator';
import { createProducer } from '@inventory/kafka';
import {
  type AppProcess,
  buildInProcess,
  createNamedTopic,
  createTestTopic,
  stackEndpoints,
  stackKafkaEnv,
  startAppProcess,
  testKafka,
  uniqueName,
} from '@inventory/testkit';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';

export const erpToken = 'test-erp-token-7f3a';

export const testSuppliers = parseSuppliers(
  {
    suppliers: [
      { supplierId: 'SUP-ACME', skuPrefixes: ['ACME-'] },
      { supplierId: 'SUP-ZETA', skuPrefixes: ['ZETA-'] },
    ],
  },
  'test suppliers',
);

/** The topics and tables of one isolated delivery deployment. */
export interface DeliveryWorld {
  purchaseOrders: string;
  soldQuantities: string;
  events: string;
  deadLetter: string;
  retryPrefix: string;
  schema: string;
  env: Record<string, string>;
}

export async function createDeliveryWorld(options: {
  erpUrl: string;
  delays: number[];
  summarize?: boolean;
  env?: Record<string, string>;
}): Promise<DeliveryWorld> {
  const retryPrefix = `inventory.test-retry-${uniqueName('d').replace(/-/g, '')}-`;
  for (let stage = 1; stage <= options.delays.length; stage++)
    await createNamedTopic(retryTopicName(retryPrefix, stage), 3);
  const world = {
    purchaseOrders: await createTestTopic('purchase-orders', 3),
    soldQuantities: await createTestTopic('sold-quantities', 3),
    events: await createTestTopic('events', 3),
    deadLetter: await createTestTopic('delivery-dlq', 2),
    retryPrefix,
    schema: uniqueName('erp_delivery').replace(/-/g, '_'),
  };
  const endpoints = stackEndpoints();
  const group = uniqueName('delivery');
  const suppliersFile = join(mkdtempSync(join(tmpdir(), 'erp-delivery-')), 'suppliers.json');
  writeFileSync(suppliersFile, JSON.stringify(testSuppliers));
  return {
    ...world,
    env: {
      ...stackKafkaEnv('DELIVERY'),
      ...(endpoints.SCHEMA_REGISTRY_URL
        ? { DELIVERY_SCHEMA_REGISTRY_URL: endpoints.SCHEMA_REGISTRY_URL }
        : {}),
      DELIVERY_GROUP_ID: group,
      DELIVERY_SUMMARY_GROUP_ID: `${group}-sold`,
      DELIVERY_PURCHASE_ORDERS_TOPIC: world.purchaseOrders,
      DELIVERY_SOLD_QUANTITIES_TOPIC: world.soldQuantities,
      DELIVERY_EVENTS_TOPIC: world.events,
      DELIVERY_DLQ_TOPIC: world.deadLetter,
      DELIVERY_RETRY_TOPIC_PREFIX: retryPrefix,
      DELIVERY_RETRY_DELAYS_MS: options.delays.join(','),
      DELIVERY_ERP_URL: options.erpUrl,
      DELIVERY_ERP_TOKEN: erpToken,
      DELIVERY_SUPPLIER_API_URL: options.erpUrl,
      DELIVERY_SUPPLIER_TOKEN: erpToken,
      DELIVERY_SUMMARIZE: String(options.summarize ?? false),
      DELIVERY_SUPPLIERS_FILE: suppliersFile,
      DELIVERY_POSTGRES_URL: endpoints.POSTGRES_INVENTORY_URL,
      DELIVERY_POSTGRES_SCHEMA: world.schema,
      DELIVERY_SESSION_TIMEOUT_MS: '10000',
      DELIVERY_LOG_LEVEL: 'warn',
      ...options.env,
    },
  };
}

export const testKafkaClient = (): Kafka => testKafka(uniqueName('delivery-test'));

/** An ERP simulator for the file's tests, started before the first and closed after the last. */
export function useErpSimulator(): () => ErpSimulator {
  let erp: ErpSimulator | undefined;
  beforeAll(async () => {
    erp = await startErpSimulator({ token: erpToken });
  });
  afterAll(async () => erp?.close());
  return () => {
    if (!erp) throw new Error('the ERP simulator starts in beforeAll');
    return erp;
  };
}

export interface InProcessDelivery {
  app: DeliveryApp;
  metrics: DeliveryMetrics;
  stop(): Promise<void>;
}

/** The service built by its factory in this process, with real Kafka, PostgreSQL and HTTP. */
export async function startDelivery(
  world: DeliveryWorld,
  env: Record<string, string> = {},
): Promise<InProcessDelivery> {
  const { app, close } = await buildInProcess(deliveryService, { ...world.env, ...env });
  await app.start();
  return { app, metrics: app.metrics, stop: close };
}

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** The real service process (src/main.ts). */
export function startDeliveryProcess(world: DeliveryWorld, env: Record<string, string> = {}): AppProcess {
  return startAppProcess(appDir, { PATH: process.env.PATH, ...world.env, ...env }, 'DELIVERY_HTTP_PORT');
}

export function testOrder(orderId: string, lines = 1): PurchaseOrder {
  return {
    orderId,
    customerRef: `customer-${orderId}`,
    lines: Array.from({ length: lines }, (_, i) => ({
      lineNo: i + 1,
      sku: `ACME-${(i % 7) + 1}`,
      locationId: 'DC-NORTH',
      quantity: i + 1,
      reservationId: `${orderId}:${i + 1}`,
    })),
    confirmedAt: Date.parse('2026-12-01T09:00:00Z'),
  };
}

export async function publishOrders(kafka: Kafka, topic: string, orders: PurchaseOrder[]): Promise<void> {
  const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    const values = await codec.encodeAll(`${topic}-value`, 'PurchaseOrder', orders);
    await producer.send({
      topic,
      acks: -1,
      messages: orders.map((order, i) => ({ key: order.orderId, value: values[i] as Buffer })),
    });
  } finally {
    await producer.disconnect();
  }
}

export type SoldTotals = Map<string, { sold: number; returned: number }>;

/** Units sold and returned per sku, summed over what a receiver (the ERP or the suppliers) got. */
export function receivedSoldTotals(
  erp: ErpSimulator,
  kind: 'sold-quantities' | 'supplier-sold-quantities',
): SoldTotals {
  const sums: SoldTotals = new Map();
  for (const r of erp.received(kind)) {
    const body = r.body as { sku: string; sold: number; returned: number };
    const s = sums.get(body.sku) ?? { sold: 0, returned: 0 };
    s.sold += body.sold;
    s.returned += body.returned;
    sums.set(body.sku, s);
  }
  return sums;
}

/** Entries by key as JSON: two totals compare with ===, and a failure prints both. */
export const sortedJson = (entries: Iterable<[string, unknown]>): string =>
  JSON.stringify([...entries].sort(([a], [b]) => a.localeCompare(b)));
