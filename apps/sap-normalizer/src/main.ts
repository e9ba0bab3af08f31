import { readFileSync } from 'node:fs';
import { createCodec } from '@inventory/codec';
import { createLogger, errorMessage } from '@inventory/core';
import { createKafka } from '@inventory/kafka';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import kafkajs from 'kafkajs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parseNormalizerConfig } from './config.ts';
import type { PlantMapping } from './normalize.ts';
import { createMetrics, Normalizer } from './normalizer.ts';

/** Parses config, builds clients, starts, and on SIGTERM/SIGINT stops in order. */
async function main(): Promise<void> {
  const config = parseNormalizerConfig(process.env);
  const logger = createLogger('sap-normalizer', config.LOG_LEVEL);
  const mapping = JSON.parse(readFileSync(config.PLANTS_FILE, 'utf8')) as PlantMapping;
  if (typeof mapping.client !== 'string' || !Array.isArray(mapping.storageLocations))
    throw new Error(
      `${config.PLANTS_FILE}: expected {"client", "storageLocations": [{werks, lgort, locationId}]}`,
    );
  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: config.GROUP_ID });
  await consumer.connect();
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createMetrics(registry);
  const http = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  http.get('/healthz', async () => ({ status: 'ok' }));
  http.get('/readyz', async (_request, reply) =>
    reply.status(joined ? 200 : 503).send({ status: joined ? 'ready' : 'not ready' }),
  );
  http.get('/metrics', async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  await http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // The consumer finishes its batch (produced, then committed) before the producer closes.
    await consumer.disconnect();
    await producer.disconnect();
    await http.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const codec = createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
  await new Normalizer({ config, consumer, producer, codec, mapping, metrics }).start();
}

main().catch((error: unknown) => {
  console.error(`sap-normalizer failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
