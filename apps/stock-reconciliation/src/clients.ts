import type { AvroCodec } from '@inventory/codec';
import { readSecret } from '@inventory/config';
import { keyedPartitionCount } from '@inventory/kafka';
import { Bucket, createS3Client } from '@inventory/object-store';
import type { RedisClient } from '@inventory/read-model';
import { ReadModelReader } from '@inventory/read-model';
import { type ClientsOpener, codecOf, kafkaOf, openProducer, redisFromSettings } from '@inventory/service';
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
export const connectReconciliation: ClientsOpener<ReconciliationConfig, ReconciliationClients> = async (
  config,
  { logger, resources },
) => {
  // parseReconciliationConfig requires one of the two.
  const erpToken = readSecret(config, 'ERP_TOKEN') as string;
  const pool = resources.add(
    'postgres',
    new pg.Pool({ connectionString: config.POSTGRES_URL, max: 4 }),
    (p) => p.end(),
  );
  const store = new ReconciliationStore(pool, config.POSTGRES_SCHEMA);
  await store.migrate();
  const redis = resources.add('redis', redisFromSettings(config, logger, { lazyConnect: true }), (r) =>
    r.disconnect(),
  );
  await redis.connect();
  const kafka = kafkaOf(config, logger);
  const partitions = await keyedPartitionCount(kafka, config.EVENTS_TOPIC);
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
};
