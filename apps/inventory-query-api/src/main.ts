import { createCodec } from '@inventory/codec';
import { createLogger, errorMessage } from '@inventory/core';
import { createKafka, LocationDirectory } from '@inventory/kafka';
import { KeyLayout } from '@inventory/read-model';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { ApiKeyStore } from './api-keys.ts';
import { buildApp } from './app.ts';
import { parseQueryConfig } from './config.ts';
import { TopicTail } from './kafka/tail.ts';
import { ReadModel } from './read-model.ts';
import { Reservations } from './reservations/service.ts';

/** Parses config, builds clients, serves, and on SIGTERM/SIGINT stops in order. */
async function main(): Promise<void> {
  const config = parseQueryConfig(process.env);
  const logger = createLogger('inventory-query-api', config.LOG_LEVEL);
  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const admin = kafka.admin();
  await admin.connect();
  // The aggregator keys Redis by input partition: the same partition count maps a sku to its keys.
  const metadata = await admin.fetchTopicMetadata({ topics: [config.INPUT_TOPIC] });
  const partitions = metadata.topics[0]?.partitions.length ?? 0;
  await admin.disconnect();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const codec = createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
  const changes = new TopicTail(kafka, codec, config.AVAILABILITY_TOPIC, 'SkuAvailability', logger);
  await changes.start(config.KAFKA_CLIENT_ID);
  const outcomes = new TopicTail(kafka, codec, config.OUTCOMES_TOPIC, 'ReservationOutcome', logger);
  await outcomes.start(config.KAFKA_CLIENT_ID);
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const keys = new KeyLayout(config.REDIS_PREFIX);
  const reservations = new Reservations({ settings: config, producer, codec, redis, keys, outcomes });
  const locations = new LocationDirectory(kafka, codec, config.LOCATIONS_TOPIC, config.KAFKA_CLIENT_ID);
  await locations.refresh();
  const refresh = setInterval(() => {
    locations
      .refresh()
      .catch((error) => logger.warn({ err: errorMessage(error) }, 'master data refresh failed'));
  }, config.LOCATIONS_REFRESH_MS);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'query_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const sseDropped = new Counter({
    name: 'query_sse_clients_dropped_total',
    help: 'SSE clients cut off because they stopped reading',
    registers: [registry],
  });
  const app = await buildApp({
    config,
    changes,
    readModel: new ReadModel(redis, config.REDIS_PREFIX, partitions),
    keys: ApiKeyStore.fromFile(config.API_KEYS_FILE),
    regionOf: locations.regionOf,
    metrics: { registry, requests, sseDropped },
    ready: async () => (await redis.ping()) === 'PONG',
    logger,
    reservations,
  });
  await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    clearInterval(refresh);
    await app.close();
    await producer.disconnect();
    await outcomes.stop();
    await changes.stop();
    await redis.quit();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`inventory-query-api failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
