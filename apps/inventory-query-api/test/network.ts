import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCodec, type InventoryEvent, type Location } from '@inventory/codec';
import { generateEvents, reference } from '@inventory/inventory-aggregator-test';
import { queryApiService } from '@inventory/inventory-query-api';
import { createProducer, singleBrokerDurability, topicConfig, topicNames, topicSpec } from '@inventory/kafka';
import {
  type AppProcess,
  appReady,
  buildInProcess,
  createNamedTopic,
  stackEndpoints,
  stackKafkaEnv,
  startAppProcess,
  stopApp,
  testKafka,
  testRedisUrlAs,
  uniqueName,
  uniqueTopic,
} from '@inventory/testkit';
import type { Producer } from 'kafkajs';
import { testKeysFile } from './support.ts';

/**
 * Three data centres of the stack (`up --dcs 3`), one platform each: an aggregator process
 * folding the events of the locations whose home it is, a query API answering the network
 * view. Each data centre's state reaches the other two through the stack's MirrorMaker 2
 * (the state topic is named `inventory.test-mirror-*`, which the stack's mirror copies).
 * Shared by the network view's tests and its freshness benchmark.
 */
export const dataCentres = ['dc1', 'dc2', 'dc3'] as const;
export type DataCentre = (typeof dataCentres)[number];
const partitions = 6;
const aggregatorDir = fileURLToPath(new URL('../../inventory-aggregator/', import.meta.url));

// generateEvents' four locations, each data centre's own copy of them: A-S-1 is dc1's S-1.
const letter: Record<DataCentre, string> = { dc1: 'A', dc2: 'B', dc3: 'C' };
const baseRegions: Record<string, string> = { 'S-1': 'north', 'S-2': 'north', 'S-3': 'west', 'W-1': 'west' };
export const homed = (dc: DataCentre, id: string) => `${letter[dc]}-${id}`;
const locations: Location[] = dataCentres.flatMap((dc) =>
  Object.entries(baseRegions).map(([id, region]) => ({
    locationId: homed(dc, id),
    kind: id.startsWith('W') ? ('WAREHOUSE' as const) : ('STORE' as const),
    name: homed(dc, id),
    region,
    dataCentre: dc,
    active: true,
  })),
);
const homeOf = new Map(locations.map((l) => [l.locationId, l.dataCentre]));

export const names = {
  input: uniqueTopic('net-events'),
  stock: uniqueTopic('mirror-net-stock'),
  availability: uniqueTopic('net-availability'),
  reservations: uniqueTopic('net-reservations'),
  locations: uniqueTopic('net-locations'),
  dlq: uniqueTopic('net-dlq'),
  commands: uniqueTopic('net-commands'),
  outcomes: uniqueTopic('net-outcomes'),
};
export const prefix = uniqueName('net');

/** Each data centre's own events: generateEvents' stream, on its own locations, with its own eventIds. */
export function eventsOf(dc: DataCentre, count: number, seed: number): InventoryEvent[] {
  return generateEvents(count, seed, { countsInOrder: true }).map((e) => ({
    ...e,
    eventId: `${e.eventId}-${dc}`,
    locationId: homed(dc, e.locationId),
  }));
}

export interface Site {
  dc: DataCentre;
  aggregator: AppProcess;
  query: Awaited<ReturnType<typeof buildQuery>>;
}

async function createTopics(dc: DataCentre): Promise<void> {
  const compact = topicConfig(topicSpec(topicNames.stock), singleBrokerDurability);
  await Promise.all([
    createNamedTopic(
      names.input,
      partitions,
      topicConfig(topicSpec(topicNames.events), singleBrokerDurability),
      dc,
    ),
    createNamedTopic(names.stock, partitions, compact, dc),
    createNamedTopic(names.availability, partitions, compact, dc),
    createNamedTopic(
      names.reservations,
      partitions,
      topicConfig(topicSpec(topicNames.reservations), singleBrokerDurability),
      dc,
    ),
    createNamedTopic(names.locations, 1, {}, dc),
    createNamedTopic(names.dlq, 1, {}, dc),
    createNamedTopic(names.commands, partitions, {}, dc),
    createNamedTopic(names.outcomes, partitions, {}, dc),
  ]);
}

let shared: ReturnType<typeof createCodec> | undefined;
/** One codec for every data centre (one registry): its schema ids are looked up once. */
const codec = () => {
  shared ??= createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
  return shared;
};

/** One idempotent producer per data centre, connected at its first use, closed with the network. */
const producers = new Map<DataCentre, Promise<Producer>>();
function producerOf(dc: DataCentre): Promise<Producer> {
  let producer = producers.get(dc);
  if (!producer) {
    const created = createProducer(testKafka(undefined, undefined, dc));
    producer = created.connect().then(() => created);
    producers.set(dc, producer);
  }
  return producer;
}

async function produce(dc: DataCentre, topic: string, messages: { key: string; value: Buffer }[]) {
  const producer = await producerOf(dc);
  for (let i = 0; i < messages.length; i += 500)
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
}

export async function produceEvents(dc: DataCentre, events: InventoryEvent[]): Promise<void> {
  const avro = codec();
  await produce(
    dc,
    names.input,
    await Promise.all(
      events.map(async (e) => ({
        key: e.sku,
        value: await avro.encode(`${names.input}-value`, 'InventoryEvent', e),
      })),
    ),
  );
}

const otherDataCentres = (dc: DataCentre) => dataCentres.filter((other) => other !== dc);
const peersOf = (dc: DataCentre) => otherDataCentres(dc).join(',');

export async function startAggregator(dc: DataCentre, env: Record<string, string> = {}): Promise<AppProcess> {
  const app = startAppProcess(
    aggregatorDir,
    {
      PATH: process.env.PATH,
      ...stackKafkaEnv('AGG', undefined, dc),
      AGG_REDIS_URL: await testRedisUrlAs('inventory-aggregator', prefix, dc),
      AGG_REDIS_PREFIX: prefix,
      AGG_GROUP_ID: `${prefix}-agg`,
      AGG_INPUT_TOPIC: names.input,
      AGG_STOCK_TOPIC: names.stock,
      AGG_AVAILABILITY_TOPIC: names.availability,
      AGG_RESERVATIONS_TOPIC: names.reservations,
      AGG_LOCATIONS_TOPIC: names.locations,
      AGG_DLQ_TOPIC: names.dlq,
      AGG_COMMANDS_TOPIC: names.commands,
      AGG_OUTCOMES_TOPIC: names.outcomes,
      AGG_RESERVATION_TICK_MS: '0',
      AGG_SESSION_TIMEOUT_MS: '6000',
      AGG_DATA_CENTRE: dc,
      AGG_PEER_DATA_CENTRES: peersOf(dc),
      AGG_LOG_LEVEL: 'warn',
      ...env,
    },
    'AGG_HTTP_PORT',
  );
  await appReady(app);
  return app;
}

/** A data centre's query API; a setting given as undefined is left unset. */
export async function buildQuery(dc: DataCentre, env: Record<string, string | undefined> = {}) {
  const { app, close } = await buildInProcess(queryApiService, {
    ...stackKafkaEnv('QUERY', undefined, dc),
    QUERY_KAFKA_CLIENT_ID: uniqueName('net-query'),
    QUERY_REDIS_URL: await testRedisUrlAs('inventory-query-api', prefix, dc),
    QUERY_REDIS_PREFIX: prefix,
    QUERY_INPUT_TOPIC: names.input,
    QUERY_LOCATIONS_TOPIC: names.locations,
    QUERY_AVAILABILITY_TOPIC: names.availability,
    QUERY_COMMANDS_TOPIC: names.commands,
    QUERY_OUTCOMES_TOPIC: names.outcomes,
    QUERY_API_KEYS_FILE: testKeysFile(),
    QUERY_RATE_PER_SECOND: '100000',
    QUERY_RATE_BURST: '100000',
    QUERY_DATA_CENTRE: dc,
    QUERY_PEER_DATA_CENTRES: peersOf(dc),
    QUERY_PEERS_FILE: peersFile(dc),
    // The stack's mirror beats every second: three seconds without a beat is a part behind.
    QUERY_PEER_STALE_MS: '3000',
    QUERY_LOG_LEVEL: 'silent',
    ...env,
  });
  /** A request with the web shop's key, its JSON answer. */
  const request = async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
    const response = await app.http.inject({
      method,
      url,
      headers: {
        authorization: 'Bearer shop-key',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: response.statusCode, body: response.json() };
  };
  return {
    get: (url: string) => request('GET', url),
    post: (url: string, body: unknown) => request('POST', url, body),
    delete: (url: string) => request('DELETE', url),
    close,
  };
}

/**
 * QUERY_PEERS_FILE of a data centre: the others' Kafka, as the stack's administrator (the
 * tests' topics are their own, which no app's ACLs grant), its password by file.
 */
function peersFile(dc: DataCentre): string {
  const dataCentres = otherDataCentres(dc).map((peer) => {
    const endpoints = stackEndpoints(peer);
    const username = endpoints.KAFKA_SASL_USERNAME;
    return {
      dataCentre: peer,
      brokers: endpoints.KAFKA_BROKERS,
      ...(endpoints.KAFKA_TLS === 'true' && username && endpoints.KAFKA_PASSWORD_DIR
        ? {
            caFile: endpoints.KAFKA_CA_FILE,
            username,
            passwordFile: join(endpoints.KAFKA_PASSWORD_DIR, username),
          }
        : {}),
    };
  });
  const file = join(mkdtempSync(join(tmpdir(), 'query-peers-')), 'peers.json');
  writeFileSync(file, JSON.stringify({ dataCentres }));
  return file;
}

interface Expected {
  /** sku -> locationId -> onHand */
  bySku: Map<string, Map<string, number>>;
}

export function expectedOf(events: InventoryEvent[]): Expected {
  const bySku = new Map<string, Map<string, number>>();
  for (const [key, onHand] of reference(events)) {
    const [sku, locationId] = key.split('|') as [string, string];
    const at = bySku.get(sku) ?? new Map<string, number>();
    at.set(locationId, onHand);
    bySku.set(sku, at);
  }
  return { bySku };
}

/** What every data centre's API must answer for a sku: the network's sums, every location with its home. */
export function answerOf(locationsOnHand: Map<string, number>) {
  const sorted = [...locationsOnHand].sort(([a], [b]) => (a < b ? -1 : 1));
  const onHand = sorted.reduce((sum, [, n]) => sum + n, 0);
  return {
    onHand,
    reserved: 0,
    available: onHand,
    locations: sorted.map(([locationId, n]) => ({
      locationId,
      onHand: n,
      dataCentre: homeOf.get(locationId),
    })),
  };
}

export async function networkAnswers(site: Site, skus: string[]) {
  return Promise.all(
    skus.map(async (sku) => {
      const { status, body } = await site.query.get(`/v1/availability/${sku}`);
      if (status !== 200) return { status };
      return {
        onHand: body.onHand,
        reserved: body.reserved,
        available: body.available,
        locations: body.locations.map((l: { locationId: string; onHand: number; dataCentre: string }) => ({
          locationId: l.locationId,
          onHand: l.onHand,
          dataCentre: l.dataCentre,
        })),
      };
    }),
  );
}

/**
 * Creates the topics in every data centre, writes the global master data to each and starts
 * the three platforms; `close` stops them.
 */
export async function startNetwork(
  options: { aggregator?: Record<string, string>; query?: Record<string, string> } = {},
): Promise<{ sites: Site[]; close: () => Promise<void> }> {
  for (const dc of dataCentres) stackEndpoints(dc);
  await Promise.all(dataCentres.map(createTopics));
  const avro = codec();
  const master = await Promise.all(
    locations.map(async (l) => ({
      key: l.locationId,
      value: await avro.encode(`${names.locations}-value`, 'Location', l),
    })),
  );
  // Master data is global: every data centre knows every location and its home.
  for (const dc of dataCentres) await produce(dc, names.locations, master);
  const sites: Site[] = [];
  const close = async () => {
    for (const site of sites) {
      await site.query.close();
      await stopApp(site.aggregator);
    }
    for (const producer of producers.values()) await (await producer).disconnect();
    producers.clear();
  };
  try {
    for (const dc of dataCentres)
      sites.push({
        dc,
        aggregator: await startAggregator(dc, options.aggregator),
        query: await buildQuery(dc, options.query),
      });
  } catch (error) {
    await close();
    throw error;
  }
  return { sites, close };
}
