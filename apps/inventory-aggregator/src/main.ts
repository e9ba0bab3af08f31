import { createCodec } from '@inventory/codec';
import { createLogger, errorMessage } from '@inventory/core';
import { CoPartitionedAssigner, createKafka, LocationDirectory } from '@inventory/kafka';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import { Aggregator } from './aggregator.ts';
import { aggregatorSettings, parseAggregatorConfig, retentionProblem } from './config.ts';
import { buildHttp } from './http.ts';
import { createMetrics } from './metrics.ts';
import { RedisStore } from './store/redis-store.ts';

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
  // Partition p of the input, the commands and the compacted outputs is one set of skus: one
  // writer, and the partition a restore of p reads.
  const keyed = [
    config.INPUT_TOPIC,
    config.COMMANDS_TOPIC,
    config.STOCK_TOPIC,
    config.AVAILABILITY_TOPIC,
    config.RESERVATIONS_TOPIC,
  ];
  const metadata = await admin.fetchTopicMetadata({ topics: keyed });
  const counts = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  const inputs = counts.get(config.INPUT_TOPIC);
  const unequal = keyed.filter((topic) => counts.get(topic) !== inputs);
  if (unequal.length > 0) {
    throw new Error(
      `${unequal.map((t) => `${t} has ${counts.get(t)} partitions`).join(', ')} and ${config.INPUT_TOPIC} ${inputs}: they must be equal, as a sku's events, commands and state meet in one partition`,
    );
  }
  const settings = aggregatorSettings(config);
  const [retention] = await admin
    .describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: kafkajs.ConfigResourceTypes.TOPIC, name: config.INPUT_TOPIC, configNames: ['retention.ms'] },
      ],
    })
    .then((r) => r.resources.map((res) => Number(res.configEntries[0]?.configValue ?? -1)));
  const problem = retentionProblem(retention ?? -1, settings.dedup);
  if (problem) throw new Error(`${config.INPUT_TOPIC} ${problem}`);
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

  const store = new RedisStore(
    redis,
    config.REDIS_PREFIX,
    { policy: settings.dedup, shards: config.DEDUP_SHARDS },
    config.RESERVATION_RETENTION_MS,
  );
  const aggregator = new Aggregator({
    config,
    consumer,
    producer,
    admin,
    store,
    codec,
    kafka,
    regionOf: locations.regionOf,
    metrics,
    logger,
  });
  const http = buildHttp({ metrics, logger, ready: async () => joined && (await redis.ping()) === 'PONG' });
  await http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  closers.push(() => http.close());
  closers.push(() => aggregator.stop());
  if (!stopping) await aggregator.start();
}

main().catch((error: unknown) => {
  console.error(`inventory-aggregator failed: ${errorMessage(error)}`);
  process.exit(1);
});
