import { createCodec } from '@inventory/codec';
import { createLogger, errorMessage } from '@inventory/core';
import { CoPartitionedAssigner, createKafka, LocationDirectory } from '@inventory/kafka';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import { Aggregator } from './aggregator.ts';
import { parseAggregatorConfig } from './config.ts';
import { buildHttp } from './http.ts';
import { createMetrics } from './metrics.ts';
import { RedisStore } from './store/redis-store.ts';
import { ReservationStore } from './store/reservation-store.ts';

/** Parses config, builds clients, starts folding, and on SIGTERM/SIGINT stops in order. */
async function main(): Promise<void> {
  const config = parseAggregatorConfig(process.env);
  const logger = createLogger('inventory-aggregator', config.LOG_LEVEL);
  // Signals can come while starting: whatever is already open is closed, newest first, so
  // the consumer (intake) stops before the producer, admin and Redis it relies on.
  const closers: (() => Promise<unknown>)[] = [];
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing the batch in progress');
    for (const close of closers.reverse()) await close().catch(() => {});
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
  closers.push(() => redis.quit());
  const codec = createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
  const metrics = createMetrics();
  const locations = new LocationDirectory(kafka, codec, config.LOCATIONS_TOPIC, config.GROUP_ID);
  logger.info({ locations: await locations.refresh(), skipped: locations.skipped }, 'master data loaded');
  const refresh = setInterval(() => {
    locations
      .refresh()
      .catch((error) => logger.warn({ err: errorMessage(error) }, 'master data refresh failed'));
  }, config.LOCATIONS_REFRESH_MS);
  closers.push(async () => clearInterval(refresh));

  const admin = kafka.admin();
  await admin.connect();
  closers.push(() => admin.disconnect());
  const metadata = await admin.fetchTopicMetadata({ topics: [config.INPUT_TOPIC, config.COMMANDS_TOPIC] });
  const [events, commands] = metadata.topics.map((t) => t.partitions.length);
  if (events !== commands) {
    throw new Error(
      `${config.COMMANDS_TOPIC} has ${commands} partitions and ${config.INPUT_TOPIC} ${events}: they must be equal, as a sku's commands and events must meet in one partition`,
    );
  }
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  closers.push(() => producer.disconnect());
  const consumer = kafka.consumer({
    groupId: config.GROUP_ID,
    sessionTimeout: config.SESSION_TIMEOUT_MS,
    heartbeatInterval: config.HEARTBEAT_INTERVAL_MS,
    maxBytesPerPartition: config.MAX_BYTES_PER_PARTITION,
    readUncommitted: false,
    partitionAssigners: [CoPartitionedAssigner],
  });
  await consumer.connect();
  // Disconnecting the consumer waits for the running batch, whose Redis write and
  // publication complete before the producer and Redis are closed.
  closers.push(() => consumer.disconnect());
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  consumer.on(consumer.events.CRASH, (event) => {
    logger.error(
      { err: errorMessage(event.payload.error), restart: event.payload.restart },
      'consumer crashed',
    );
    if (!event.payload.restart) process.exit(1);
  });

  const store = new RedisStore(redis, config.REDIS_PREFIX, {
    horizonMs: config.DEDUP_HORIZON_MS,
    bucketMs: Math.max(60_000, Math.floor(config.DEDUP_HORIZON_MS / 4)),
  });
  const aggregator = new Aggregator({
    config,
    consumer,
    producer,
    admin,
    store,
    reservations: new ReservationStore(redis, store.keys, config.RESERVATION_RETENTION_MS),
    codec,
    kafka,
    regionOf: locations.regionOf,
    metrics,
    logger,
  });
  const http = buildHttp({ metrics, logger, ready: async () => joined && (await redis.ping()) === 'PONG' });
  await http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  closers.push(() => http.close());
  closers.push(async () => aggregator.stop());
  if (!stopping) await aggregator.start();
}

main().catch((error: unknown) => {
  console.error(`inventory-aggregator failed: ${errorMessage(error)}`);
  process.exit(1);
});
