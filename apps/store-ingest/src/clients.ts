import type { AvroCodec } from '@inventory/codec';
import { withTimeout } from '@inventory/core';
import { createProducer } from '@inventory/kafka';
import { type ClientsOpener, codecOf, kafkaOf } from '@inventory/service';
import type { Producer } from 'kafkajs';
import { TokenStore } from './auth/tokens.ts';
import type { IngestConfig } from './config.ts';

export interface IngestClients {
  producer: Producer;
  codec: AvroCodec;
  tokens: TokenStore;
  /** True when Kafka answers: the readiness check. */
  kafkaReady: () => Promise<boolean>;
}

/** Opens the clients from the settings; the token file is read once, here. */
export const connectIngest: ClientsOpener<IngestConfig, IngestClients> = async (
  config,
  { logger, resources },
) => {
  const tokens = TokenStore.fromFile(config.TOKENS_FILE);
  const kafka = kafkaOf(config, logger);
  const producer = resources.add('producer', createProducer(kafka), (p) => p.disconnect());
  // Serving starts even when Kafka is down: /readyz says so and writes answer 503 until it is back.
  await producer.connect().catch((error) => logger.warn({ err: String(error) }, 'Kafka not reachable yet'));
  const admin = resources.add('admin', kafka.admin(), (a) => a.disconnect());
  return {
    producer,
    codec: codecOf(config),
    tokens,
    kafkaReady: async () => {
      await withTimeout(admin.connect(), 2_000, 'connecting to Kafka');
      const cluster = await withTimeout(admin.describeCluster(), 2_000, 'describing the cluster');
      return cluster.brokers.length > 0;
    },
  };
};
