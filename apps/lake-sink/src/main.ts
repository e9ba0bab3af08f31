import { createCodec } from '@inventory/codec';
import { createLogger, errorMessage } from '@inventory/core';
import { createKafka } from '@inventory/kafka';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import kafkajs from 'kafkajs';
import { parseLakeConfig } from './config.ts';
import { createMetrics } from './metrics.ts';
import { LakeSink } from './sink.ts';

/** Parses config, builds clients, starts, and on SIGTERM/SIGINT writes what it holds and stops. */
async function main(): Promise<void> {
  const config = parseLakeConfig(process.env);
  const logger = createLogger('lake-sink', config.LOG_LEVEL);
  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({
    groupId: config.GROUP_ID,
    sessionTimeout: config.SESSION_TIMEOUT_MS,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  await consumer.connect();
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  const admin = kafka.admin();
  await admin.connect();
  // Chunks are cut by append time (chunks.ts): a topic stamped by its producers could put an
  // old time after a newer one and cut two writers' files differently.
  const topics = [...config.EVENT_TOPICS, ...config.RAW_TOPICS];
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: kafkajs.ConfigResourceTypes.TOPIC,
      name,
      configNames: ['message.timestamp.type'],
    })),
  });
  const stamped = described.resources.filter((r) => r.configEntries[0]?.configValue !== 'LogAppendTime');
  if (stamped.length > 0)
    throw new Error(
      `${stamped.map((r) => r.resourceName).join(', ')}: message.timestamp.type must be LogAppendTime (the lake cuts files by the broker's append time)`,
    );
  const metrics = createMetrics();
  const http = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  http.get('/healthz', async () => ({ status: 'ok' }));
  http.get('/readyz', async (_request, reply) =>
    reply.status(joined ? 200 : 503).send({ status: joined ? 'ready' : 'not ready' }),
  );
  http.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  await http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  const codec = createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
  const sink = new LakeSink({ config, consumer, producer, admin, codec, metrics, logger });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: writing and committing what is buffered');
    consumer.pause([...config.EVENT_TOPICS, ...config.RAW_TOPICS].map((topic) => ({ topic })));
    await sink
      .stop()
      .catch((error) =>
        logger.warn({ err: errorMessage(error) }, 'buffer not written; it is after a restart'),
      );
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
    await http.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await sink.start();
}

main().catch((error: unknown) => {
  console.error(`lake-sink failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
