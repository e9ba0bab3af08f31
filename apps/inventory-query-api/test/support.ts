import { createCodec } from '@inventory/codec';
import { createLogger, hashToken } from '@inventory/core';
import { KeyLayout } from '@inventory/read-model';
import { stackEndpoints, testKafka } from '@inventory/testkit';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import type { Response as InjectResponse } from 'light-my-request';
import { Counter, Registry } from 'prom-client';
import { regions, type World } from '../../inventory-aggregator/src/test-support.ts';
import { ApiKeyStore } from './api-keys.ts';
import { buildApp } from './app.ts';
import { parseQueryConfig } from './config.ts';
import { TopicTail } from './kafka/tail.ts';
import { ReadModel } from './read-model.ts';
import { Reservations } from './reservations/service.ts';

export interface ReservationApi {
  api: FastifyInstance;
  /** Sends a request with the web shop's key (reads and reservations). */
  call(method: 'POST' | 'DELETE' | 'GET', url: string, body?: unknown, key?: string): Promise<InjectResponse>;
  close(): Promise<void>;
}

/**
 * The query API with reservations, as main builds it, against the real Kafka and Redis of
 * an aggregator test world. Keys: `shop-key` (read, reserve), `store-key` (read only).
 */
export async function buildReservationApi(
  world: World,
  redis: Redis,
  settings: Record<string, string> = {},
): Promise<ReservationApi> {
  const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
  const outcomes = new TopicTail(
    testKafka(),
    codec,
    world.outcomes,
    'ReservationOutcome',
    createLogger('t', 'silent'),
  );
  await outcomes.start(world.groupId);
  const changes = new TopicTail(
    testKafka(),
    codec,
    world.availability,
    'SkuAvailability',
    createLogger('t', 'silent'),
  );
  await changes.start(world.groupId);
  const producer = testKafka().producer({
    idempotent: true,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const config = parseQueryConfig({
    QUERY_KAFKA_BROKERS: 'unused:1',
    QUERY_REDIS_URL: 'unused',
    QUERY_API_KEYS_FILE: 'unused',
    QUERY_RATE_PER_SECOND: '100000',
    QUERY_RATE_BURST: '100000',
    QUERY_COMMANDS_TOPIC: world.commands,
    QUERY_OUTCOMES_TOPIC: world.outcomes,
    ...settings,
  });
  const registry = new Registry();
  const api = await buildApp({
    config,
    changes,
    readModel: new ReadModel(redis, world.prefix, 6),
    keys: new ApiKeyStore([
      {
        keyId: 'shop',
        keySha256: hashToken('shop-key'),
        scopes: ['availability:read', 'reservations:write'],
      },
      { keyId: 'store', keySha256: hashToken('store-key'), scopes: ['availability:read'] },
    ]),
    regionOf: (l) => regions[l] ?? 'unknown',
    metrics: {
      registry,
      requests: new Counter({
        name: 'r',
        help: 'r',
        labelNames: ['route', 'status'] as const,
        registers: [registry],
      }),
    },
    ready: async () => true,
    logger: createLogger('reservations-test', 'silent'),
    reservations: new Reservations({
      settings: config,
      producer,
      codec,
      redis,
      keys: new KeyLayout(world.prefix),
      outcomes,
    }),
  });
  const inject = (options: InjectOptions): Promise<InjectResponse> => api.inject(options);
  return {
    api,
    call: (method, url, body, key = 'shop-key') =>
      inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      }),
    close: async () => {
      await api.close();
      await outcomes.stop();
      await changes.stop();
      await producer.disconnect();
    },
  };
}
