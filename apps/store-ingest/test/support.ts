import { createCodec } from '@inventory/codec';
import { createLogger, hashToken } from '@inventory/core';
import { createKafka } from '@inventory/kafka';
import { stackEndpoints, uniqueName } from '@inventory/testkit';
import type { FastifyInstance } from 'fastify';
import kafkajs from 'kafkajs';
import { buildApp } from './app.ts';
import { TokenStore } from './auth/tokens.ts';
import { type IngestConfig, parseIngestConfig } from './config.ts';
import { createMetrics, type IngestMetrics } from './metrics.ts';
import { EventPublisher } from './publish/publisher.ts';

export const tokens = {
  store1: 'test-token-store-1',
  store2: 'test-token-store-2',
  central: 'test-token-central',
};

export interface TestIngest {
  app: FastifyInstance;
  metrics: IngestMetrics;
  config: IngestConfig;
  close(): Promise<void>;
}

/** The real app against the local stack's Kafka and registry, writing to `topic`. */
export async function buildTestIngest(topic: string, env: Record<string, string> = {}): Promise<TestIngest> {
  const endpoints = stackEndpoints();
  const config = parseIngestConfig({
    INGEST_KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
    INGEST_TOKENS_FILE: '/unused',
    ...(endpoints.SCHEMA_REGISTRY_URL ? { INGEST_SCHEMA_REGISTRY_URL: endpoints.SCHEMA_REGISTRY_URL } : {}),
    ...env,
  });
  const kafka = createKafka({
    clientId: uniqueName('ingest-test'),
    brokers: config.KAFKA_BROKERS,
    requestTimeoutMs: 5_000,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  await producer.connect();
  const admin = kafka.admin();
  const metrics = createMetrics();
  const app = await buildApp({
    config,
    metrics,
    logger: createLogger('store-ingest-test', 'silent'),
    tokens: new TokenStore([
      { clientId: 'store-1', tokenSha256: hashToken(tokens.store1), locationIds: ['STORE-001'] },
      { clientId: 'store-2', tokenSha256: hashToken(tokens.store2), locationIds: ['STORE-002'] },
      { clientId: 'central', tokenSha256: hashToken(tokens.central), locationIds: ['*'] },
    ]),
    publisher: new EventPublisher(producer, createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL }), {
      topic,
      timeoutMs: config.PRODUCE_TIMEOUT_MS,
      maxPending: config.MAX_PENDING_WRITES,
      onLatency: (s) => metrics.produceLatency.observe(s),
    }),
    kafkaReady: async () => {
      await admin.connect();
      return (await admin.describeCluster()).brokers.length > 0;
    },
  });
  return {
    app,
    metrics,
    config,
    close: async () => {
      await app.close();
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}

let sequence = 0;
/** A valid store event with a unique eventId. */
export function storeEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence++;
  return {
    eventId: uniqueName(`evt-${sequence}`),
    type: 'SALE',
    sku: `SKU-${sequence % 7}`,
    locationId: 'STORE-001',
    quantity: 1 + (sequence % 5),
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    reference: `receipt-${sequence}`,
    ...overrides,
  };
}
