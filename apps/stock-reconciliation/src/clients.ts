import type { AvroCodec } from '@inventory/codec';
import { readSecret } from '@inventory/config';
import { InventoryError } from '@inventory/core';
import { partitionCounts } from '@inventory/kafka';
import { Bucket, createS3Client } from '@inventory/object-store';
import type { RedisClient } from '@inventory/read-model';
import { ReadModelReader } from '@inventory/read-model';
import { codecOf, kafkaOf, openProducer, redisFromSettings, type ServiceContext } from '@inventory/service';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { type Alert, webhookAlerter } from './alerts.ts';
import type { ReconciliationConfig } from './config.ts';
import { ReconciliationStore } from './store.ts';

export interface ReconciliationClients {
  pool: pg.Pool;
  store: ReconciliationStore;
  redis: RedisClient;
  reader: ReadModelReader;
  producer: Producer;
  codec: AvroCodec;
  erpToken: string;
  alert: Alert;
  /** Where raw payloads are archived. */
  archive: Bucket;
}

/** Opens every client a run needs from the settings (the service, the CLI and the tests alike). */
export async function connectReconciliation(
  config: ReconciliationConfig,
  { logger, resources }: Pick<ServiceContext, 'logger' | 'resources'>,
): Promise<ReconciliationClients> {
  // parseReconciliationConfig requires one of the two.
  const erpToken = readSecret(config, 'ERP_TOKEN') as string;
  const pool = resources.add(
    'postgres',
    new pg.Pool({ connectionString: config.POSTGRES_URL, max: 4 }),
    (p) => p.end(),
  );
  const store = new ReconciliationStore(pool, config.POSTGRES_SCHEMA);
  await store.migrate();
  const redis = resources.add('redis', redisFromSettings(config, { lazyConnect: true }), (r) =>
    r.disconnect(),
  );
  await redis.connect();
  const kafka = kafkaOf(config, logger);
  const admin = kafka.admin();
  await admin.connect();
  const partitions = await partitionCounts(admin, [config.EVENTS_TOPIC])
    .then((counts) => counts.get(config.EVENTS_TOPIC) ?? 0)
    .finally(() => admin.disconnect());
  if (partitions === 0)
    throw new InventoryError(
      'STARTUP_CHECK_FAILED',
      `topic ${config.EVENTS_TOPIC} has no partitions (does it exist?)`,
    );
  const producer = await openProducer(kafka, resources);
  return {
    pool,
    store,
    redis,
    reader: new ReadModelReader(redis, config.REDIS_PREFIX, partitions),
    producer,
    codec: codecOf(config),
    erpToken,
    alert: webhookAlerter(config.ALERT_WEBHOOK_URL, config.ENVIRONMENT, logger),
    archive: new Bucket(
      resources.add('s3', createS3Client(config, 'RECON_'), (c) => c.destroy()),
      config.ARCHIVE_BUCKET,
    ),
  };
}
