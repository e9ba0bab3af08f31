import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashToken } from '@inventory/core';
import { useWorld, type World, type WorldFixture } from '@inventory/inventory-aggregator-test';
import { type QueryApp, type QueryClients, queryApiService } from '@inventory/inventory-query-api';
import type { ReadModelReader } from '@inventory/read-model';
import { buildTestIngest, type TestIngest } from '@inventory/store-ingest-test';
import type { AppProcess } from '@inventory/testkit';
import { buildInProcess, stackKafkaEnv, startAppProcess, uniqueName } from '@inventory/testkit';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Response as InjectResponse } from 'light-my-request';
import { afterAll, beforeAll, expect } from 'vitest';

/**
 * The API keys of the tests: `shop-key` (read, reserve), `store-key` (read only),
 * `no-scope-key` (known, allowed nothing).
 */
export function testKeysFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'query-keys-')), 'keys.json');
  const keys = [
    { keyId: 'shop', keySha256: hashToken('shop-key'), scopes: ['availability:read', 'reservations:write'] },
    { keyId: 'store', keySha256: hashToken('store-key'), scopes: ['availability:read'] },
    { keyId: 'none', keySha256: hashToken('no-scope-key'), scopes: [] },
  ];
  writeFileSync(file, JSON.stringify({ keys }));
  return file;
}

/** The settings of a query API over an aggregator test world. */
export function queryEnv(world: World, env: Record<string, string> = {}): Record<string, string> {
  return {
    ...stackKafkaEnv('QUERY'),
    QUERY_KAFKA_CLIENT_ID: uniqueName('query-test'),
    QUERY_REDIS_URL: world.redisAs['inventory-query-api'],
    QUERY_REDIS_PREFIX: world.prefix,
    QUERY_INPUT_TOPIC: world.input,
    QUERY_LOCATIONS_TOPIC: world.locations,
    QUERY_AVAILABILITY_TOPIC: world.availability,
    QUERY_COMMANDS_TOPIC: world.commands,
    QUERY_OUTCOMES_TOPIC: world.outcomes,
    QUERY_API_KEYS_FILE: testKeysFile(),
    QUERY_RATE_PER_SECOND: '100000',
    QUERY_RATE_BURST: '100000',
    QUERY_LOG_LEVEL: 'silent',
    ...env,
  };
}

export interface TestQueryApi {
  api: FastifyInstance;
  app: QueryApp;
  clients: QueryClients;
  /** Sends a request with the web shop's key (reads and reservations) unless another is named. */
  call(method: 'POST' | 'DELETE' | 'GET', url: string, body?: unknown, key?: string): Promise<InjectResponse>;
  close(): Promise<void>;
}

/** The query API as main builds it, in this process, against the real Kafka and Redis of a test world. */
export async function buildTestQueryApi(
  world: World,
  env: Record<string, string> = {},
): Promise<TestQueryApi> {
  const { app, clients, close } = await buildInProcess(queryApiService, queryEnv(world, env));
  const inject = (options: InjectOptions): Promise<InjectResponse> => app.http.inject(options);
  return {
    api: app.http,
    app,
    clients,
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
    close,
  };
}

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** The real process (src/main.ts) over a test world, on a free port. */
export function startQueryProcess(world: World, env: Record<string, string> = {}): AppProcess {
  return startAppProcess(appDir, { PATH: process.env.PATH, ...queryEnv(world, env) }, 'QUERY_HTTP_PORT');
}

export interface PlatformFixture extends WorldFixture {
  readonly ingest: TestIngest;
  readonly query: TestQueryApi;
  /** POSTs `{"events": [...]}` to the ingest with a client's token. */
  post(token: string, events: Record<string, unknown>[]): Promise<InjectResponse>;
}

/**
 * The platform's path for the tests of a file: a world with its aggregator process
 * (useWorld), store-ingest writing to its input, the query API over its read model.
 */
export function usePlatform(
  options: { ingest?: Record<string, string>; query?: Record<string, string> } = {},
): PlatformFixture {
  const folded = useWorld();
  const parts = {} as { ingest: TestIngest; query: TestQueryApi };
  beforeAll(async () => {
    parts.ingest = await buildTestIngest(folded.world.input, {
      INGEST_RATE_PER_SECOND: '100000',
      INGEST_RATE_BURST: '100000',
      INGEST_EVENTS_RATE_PER_SECOND: '1000000',
      INGEST_EVENTS_RATE_BURST: '1000000',
      ...options.ingest,
    });
    parts.query = await buildTestQueryApi(folded.world, options.query);
  });
  afterAll(async () => {
    await parts.query?.close();
    await parts.ingest?.close();
  });
  return {
    get redis() {
      return folded.redis;
    },
    get world() {
      return folded.world;
    },
    get aggregator() {
      return folded.aggregator;
    },
    get ingest() {
      return parts.ingest;
    },
    get query() {
      return parts.query;
    },
    post: (token, events) =>
      parts.ingest.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        payload: JSON.stringify({ events }),
      }),
  };
}

/**
 * After a fault, every reservation answer given holds: of the ids asked for `sku` (all for one
 * unit, with `stock` available), exactly `stock` were confirmed (201) and the rest refused
 * (409); the stored reservations confirm those ids and no other; the sku's figures show the
 * stock all reserved.
 */
export async function expectAnswersHold(
  api: TestQueryApi,
  reader: ReadModelReader,
  { sku, ids, answers, stock }: { sku: string; ids: string[]; answers: Map<string, number>; stock: number },
): Promise<void> {
  const confirmed = ids.filter((id) => answers.get(id) === 201);
  expect(confirmed, sku).toHaveLength(stock);
  expect(
    ids.filter((id) => answers.get(id) === 409),
    sku,
  ).toHaveLength(ids.length - stock);
  const stored = await Promise.all(ids.map((id) => reader.reservation(sku, id)));
  expect(
    stored
      .filter((r) => r?.status === 'CONFIRMED')
      .map((r) => r?.reservationId)
      .sort(),
    sku,
  ).toEqual(confirmed.sort());
  expect((await api.call('GET', `/v1/availability/${sku}`)).json(), sku).toMatchObject({
    onHand: stock,
    reserved: stock,
    available: 0,
  });
}
