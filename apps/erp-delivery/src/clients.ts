import { readFileSync } from 'node:fs';
import { createCodec } from '@inventory/codec';
import { secretValue } from '@inventory/config';
import type { Logger } from '@inventory/core';
import { createKafka } from '@inventory/kafka';
import pg from 'pg';
import { buildDeliveryApp, type DeliveryApp } from './app.ts';
import type { DeliveryConfig } from './config.ts';
import { httpSender } from './delivery/client.ts';
import { createMetrics, type DeliveryMetrics } from './metrics.ts';
import { parseSuppliers, supplierLookup } from './sold/suppliers.ts';

/**
 * Builds every client the service needs from the parsed config (main and the tests alike);
 * `close` ends them after the app has stopped.
 */
export async function connectDelivery(
  config: DeliveryConfig,
  logger: Logger,
): Promise<{ app: DeliveryApp; metrics: DeliveryMetrics; close(): Promise<void> }> {
  const suppliers = config.SUPPLIERS_FILE
    ? parseSuppliers(JSON.parse(readFileSync(config.SUPPLIERS_FILE, 'utf8')), config.SUPPLIERS_FILE)
    : undefined;
  const send = httpSender({
    tokens: {
      erp: secretValue(config.ERP_TOKEN, config.ERP_TOKEN_FILE),
      supplier: secretValue(config.SUPPLIER_TOKEN, config.SUPPLIER_TOKEN_FILE),
    },
    timeoutMs: config.REQUEST_TIMEOUT_MS,
  });
  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const pool = config.SUMMARIZE ? new pg.Pool({ connectionString: config.POSTGRES_URL, max: 4 }) : undefined;
  const metrics = createMetrics();
  const app = buildDeliveryApp({
    config,
    kafka,
    producer,
    codec: createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL }),
    send,
    pool,
    supplierOf: supplierLookup(suppliers),
    metrics,
    logger,
  });
  return {
    app,
    metrics,
    async close() {
      await producer.disconnect();
      await pool?.end();
    },
  };
}
