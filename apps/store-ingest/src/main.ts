import { createCodec } from '@inventory/codec';
import { createLogger, errorMessage, withTimeout } from '@inventory/core';
import { createKafka, topicNames } from '@inventory/kafka';
import kafkajs from 'kafkajs';
import { buildApp } from './app.ts';
import { TokenStore } from './auth/tokens.ts';
import { parseIngestConfig } from './config.ts';
import { createMetrics } from './metrics.ts';
import { EventPublisher } from './publish/publisher.ts';

/** Parses config, builds clients, serves, and on SIGTERM/SIGINT stops in order. */
async function main(): Promise<void> {
  const config = parseIngestConfig(process.env);
  const logger = createLogger('store-ingest', config.LOG_LEVEL);
  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  // Bounded retries: a write that cannot reach Kafka fails within seconds and the client retries.
  const producer = kafka.producer({
    idempotent: true,
    // Murmur2 like the Java client: a sku maps to the same partition whoever produces it.
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    maxInFlightRequests: 1,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const admin = kafka.admin();
  const metrics = createMetrics();
  const publisher = new EventPublisher(producer, createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL }), {
    topic: topicNames.events,
    timeoutMs: config.PRODUCE_TIMEOUT_MS,
    maxPending: config.MAX_PENDING_WRITES,
    onLatency: (seconds) => metrics.produceLatency.observe(seconds),
  });
  const app = await buildApp({
    config,
    publisher,
    tokens: TokenStore.fromFile(config.TOKENS_FILE),
    metrics,
    logger,
    kafkaReady: async () => {
      await withTimeout(admin.connect(), 2_000, 'connecting to Kafka');
      const cluster = await withTimeout(admin.describeCluster(), 2_000, 'describing the cluster');
      return cluster.brokers.length > 0;
    },
  });

  // Start serving even when Kafka is down: /readyz says so and writes answer 503 until it is back.
  await producer
    .connect()
    .catch((error) => logger.warn({ err: errorMessage(error) }, 'Kafka not reachable yet'));
  await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new requests, finishing the ones in flight');
    // close() stops accepting connections and waits for in-flight requests, whose writes
    // are awaited before they answer; only then the producer is flushed and closed.
    await app.close();
    await producer.disconnect();
    await admin.disconnect();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`store-ingest failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
