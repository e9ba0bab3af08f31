import { createCodec } from '@inventory/codec';
import { createLogger, errorMessage } from '@inventory/core';
import { defaultDedupPolicy } from '@inventory/domain';
import { createKafka } from '@inventory/kafka';
import kafkajs from 'kafkajs';
import { Bridge } from './bridge.ts';
import { parseBridgeConfig } from './config.ts';
import { buildHttp } from './http.ts';
import { createMetrics } from './metrics.ts';
import { AmqpSource } from './source/amqp.ts';

/** Parses config, builds clients, starts bridging, and on SIGTERM/SIGINT stops in order. */
async function main(): Promise<void> {
  const config = parseBridgeConfig(process.env);
  const logger = createLogger('mq-bridge', config.LOG_LEVEL);
  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const codec = createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
  const metrics = createMetrics();
  const source = new AmqpSource(
    {
      url: config.AMQP_URL,
      queue: config.QUEUE,
      deadLetterQueue: config.DEAD_LETTER_QUEUE,
      prefetch: config.PREFETCH,
    },
    logger,
  );
  const bridge = new Bridge({
    config,
    source,
    producer,
    codec,
    metrics,
    logger,
    dedup: { horizonMs: config.DEDUP_HORIZON_MS, graceMs: defaultDedupPolicy.graceMs },
  });
  const http = buildHttp({ metrics, logger, ready: () => source.connected && bridge.kafkaHealthy });
  await http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  const depth = setInterval(() => {
    source
      .depth()
      .then((n) => n !== undefined && metrics.lag.set(n))
      .catch(() => {});
  }, config.DEPTH_POLL_MS);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new messages, sending and acknowledging the ones taken');
    clearInterval(depth);
    await bridge
      .stop()
      .catch((error) => logger.warn({ err: errorMessage(error) }, 'batch left unacknowledged'));
    await source.close();
    await producer.disconnect();
    await http.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await bridge.start();
}

main().catch((error: unknown) => {
  console.error(`mq-bridge failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
