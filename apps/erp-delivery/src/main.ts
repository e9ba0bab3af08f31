import { readFileSync } from 'node:fs';
import { createCodec } from '@inventory/codec';
import { createLogger, errorMessage } from '@inventory/core';
import { createKafka } from '@inventory/kafka';
import pg from 'pg';
import { buildDeliveryApp } from './app.ts';
import { parseDeliveryConfig } from './config.ts';
import { httpSender } from './delivery/client.ts';
import { createMetrics } from './metrics.ts';
import { parseSuppliers, supplierLookup } from './sold/suppliers.ts';

const secret = (value: string | undefined, file: string | undefined) =>
  value ?? (file ? readFileSync(file, 'utf8').trim() : undefined);

/** Parses config, builds clients, starts, and on SIGTERM/SIGINT stops in order. */
async function main(): Promise<void> {
  const config = parseDeliveryConfig(process.env);
  const logger = createLogger('erp-delivery', config.LOG_LEVEL);
  const suppliers = config.SUPPLIERS_FILE
    ? parseSuppliers(JSON.parse(readFileSync(config.SUPPLIERS_FILE, 'utf8')), config.SUPPLIERS_FILE)
    : undefined;
  const send = httpSender({
    tokens: {
      erp: secret(config.ERP_TOKEN, config.ERP_TOKEN_FILE),
      supplier: secret(config.SUPPLIER_TOKEN, config.SUPPLIER_TOKEN_FILE),
    },
    timeoutMs: config.REQUEST_TIMEOUT_MS,
  });
  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const pool = config.SUMMARIZE ? new pg.Pool({ connectionString: config.POSTGRES_URL, max: 4 }) : undefined;
  const app = buildDeliveryApp({
    config,
    kafka,
    producer,
    codec: createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL }),
    send,
    pool,
    supplierOf: supplierLookup(suppliers),
    metrics: createMetrics(),
    logger,
  });
  await app.http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing deliveries in flight, then committing');
    await app.stop().catch((error) => logger.warn({ err: errorMessage(error) }, 'stop incomplete'));
    await producer.disconnect();
    await pool?.end();
    await app.http.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.start();
}

main().catch((error: unknown) => {
  console.error(`erp-delivery failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
