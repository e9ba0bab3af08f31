import { createCodec } from '@inventory/codec';
import { secretValue } from '@inventory/config';
import type { Logger } from '@inventory/core';
import { createKafka } from '@inventory/kafka';
import { Redis } from 'ioredis';
import pg from 'pg';
import { webhookAlerter } from './alerts.ts';
import type { ReconciliationConfig } from './config.ts';
import type { JobDeps } from './job.ts';
import { createMetrics } from './metrics.ts';
import { ReconciliationStore } from './store.ts';

/** Builds every client a run needs from the parsed config; `close` ends them in reverse order. */
export async function connectJobDeps(
  config: ReconciliationConfig,
  logger: Logger,
): Promise<{ deps: JobDeps; close(): Promise<void> }> {
  // parseReconciliationConfig requires one of the two.
  const erpToken = secretValue(config.ERP_TOKEN, config.ERP_TOKEN_FILE) as string;
  const pool = new pg.Pool({ connectionString: config.POSTGRES_URL, max: 4 });
  const store = new ReconciliationStore(pool, config.POSTGRES_SCHEMA);
  await store.migrate();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicMetadata({ topics: [config.EVENTS_TOPIC] })).topics[0]?.partitions
    .length;
  await admin.disconnect();
  if (!partitions) throw new Error(`topic ${config.EVENTS_TOPIC} has no partitions (does it exist?)`);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return {
    deps: {
      config,
      store,
      redis,
      producer,
      codec: createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL }),
      partitions,
      erpToken,
      alert: webhookAlerter(config.ALERT_WEBHOOK_URL, config.ENVIRONMENT, logger),
      metrics: createMetrics(),
      logger,
    },
    async close() {
      await producer.disconnect();
      redis.disconnect();
      await pool.end();
    },
  };
}
