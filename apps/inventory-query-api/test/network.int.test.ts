import { fileURLToPath } from 'node:url';
import { createCodec, type InventoryEvent, type Location } from '@inventory/codec';
import { delay, waitFor } from '@inventory/core';
import { generateEvents, reference } from '@inventory/inventory-aggregator-test';
import { queryApiService } from '@inventory/inventory-query-api';
import { createProducer, singleBrokerDurability, topicConfig, topicNames, topicSpec } from '@inventory/kafka';
import { redisOf } from '@inventory/service';
import {
  type AppProcess,
  appReady,
  buildInProcess,
  createNamedTopic,
  keysMatching,
  processAlive,
  stackEndpoints,
  stackKafkaEnv,
  stackPartPid,
  stackUp,
  startAppProcess,
  stopApp,
  stopStackPart,
  testKafka,
  testRedisUrlAs,
  uniqueName,
  uniqueTopic,
} from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeysFile } from './support.ts';

/**
 * Three data centres of the stack (`up --dcs 3`), one platform each: an aggregator process
 * folding the events of the locations whose home it is, a query API answering the network
 * view. Each data centre's state reaches the other two through the stack's MirrorMaker 2
 * (the state topic is named `inventory.test-mirror-*`, which the stack's mirror copies), and
 * every data centre's API answers every sku exactly as the reference fold of all three data
 * centres' events, with each location's home and each part's freshness.
 */
const dataCentres = ['dc1', 'dc2', 'dc3'] as const;
type DataCentre = (typeof dataCentres)[number];
const partitions = 6;
const aggregatorDir = fileURLToPath(new URL('../../inventory-aggregator/', import.meta.url));

// generateEvents' four locations, each data centre's own copy of them: A-S-1 is dc1's S-1.
const letter: Record<DataCentre, string> = { dc1: 'A', dc2: 'B', dc3: 'C' };
const baseRegions: Record<string, string> = { 'S-1': 'north', 'S-2': 'north', 'S-3': 'west', 'W-1': 'west' };
const homed = (dc: DataCentre, id: string) => `${letter[dc]}-${id}`;
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

const names = {
  input: uniqueTopic('net-events'),
  stock: uniqueTopic('mirror-net-stock'),
  availability: uniqueTopic('net-availability'),
  reservations: uniqueTopic('net-reservations'),
  locations: uniqueTopic('net-locations'),
  dlq: uniqueTopic('net-dlq'),
  commands: uniqueTopic('net-commands'),
  outcomes: uniqueTopic('net-outcomes'),
};
const prefix = uniqueName('net');

/** Each data centre's own events: generateEvents' stream, on its own locations, with its own eventIds. */
function eventsOf(dc: DataCentre, count: number, seed: number): InventoryEvent[] {
  return generateEvents(count, seed, { countsInOrder: true }).map((e) => ({
    ...e,
    eventId: `${e.eventId}-${dc}`,
    locationId: homed(dc, e.locationId),
  }));
}

interface Site {
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

const codec = () => createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });

async function produce(dc: DataCentre, topic: string, messages: { key: string; value: Buffer }[]) {
  const producer = createProducer(testKafka(undefined, undefined, dc));
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 500)
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
  } finally {
    await producer.disconnect();
  }
}

async function produceEvents(dc: DataCentre, events: InventoryEvent[]): Promise<void> {
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

const peersOf = (dc: DataCentre) => dataCentres.filter((other) => other !== dc).join(',');

async function startAggregator(dc: DataCentre): Promise<AppProcess> {
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
    },
    'AGG_HTTP_PORT',
  );
  await appReady(app);
  return app;
}

async function buildQuery(dc: DataCentre) {
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
    // The stack's mirror beats every second: three seconds without a beat is a part behind.
    QUERY_PEER_STALE_MS: '3000',
    QUERY_LOG_LEVEL: 'silent',
  });
  const get = async (url: string) => {
    const response = await app.http.inject({
      method: 'GET',
      url,
      headers: { authorization: 'Bearer shop-key' },
    });
    return { status: response.statusCode, body: response.json() };
  };
  return { get, close };
}

interface Expected {
  /** sku -> locationId -> onHand */
  bySku: Map<string, Map<string, number>>;
}

function expectedOf(events: InventoryEvent[]): Expected {
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
function answerOf(locationsOnHand: Map<string, number>) {
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

async function networkAnswers(site: Site, skus: string[]) {
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

/** Every data centre answers every sku as the reference of all events: waits until it does, then compares. */
async function expectNetworkExact(sites: Site[], events: InventoryEvent[]): Promise<void> {
  const { bySku } = expectedOf(events);
  const skus = [...bySku.keys()].sort();
  const wanted = skus.map((sku) => answerOf(bySku.get(sku) as Map<string, number>));
  for (const site of sites) {
    let last: unknown;
    await waitFor(
      async () => {
        last = await networkAnswers(site, skus);
        return JSON.stringify(last) === JSON.stringify(wanted);
      },
      {
        description: `the network view of ${site.dc} to equal the reference of every data centre`,
        timeoutMs: 120_000,
        intervalMs: 250,
      },
    ).catch(() => {});
    expect(last, `network view in ${site.dc}`).toEqual(wanted);
  }
}

describe('the network view over three data centres', () => {
  const sites: Site[] = [];
  const events: InventoryEvent[] = [];

  beforeAll(async () => {
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
    for (const dc of dataCentres)
      sites.push({ dc, aggregator: await startAggregator(dc), query: await buildQuery(dc) });
  }, 240_000);

  afterAll(async () => {
    for (const site of sites) {
      await site.query.close();
      await stopApp(site.aggregator);
    }
  });

  it("answers every sku in every data centre from the three data centres' state, exact, each location with its home", async () => {
    const batches = dataCentres.map((dc, i) => eventsOf(dc, 600, 11 + i));
    // One after the other: the first registers the schema, the registry refuses two at once.
    for (const [i, dc] of dataCentres.entries()) await produceEvents(dc, batches[i] as InventoryEvent[]);
    events.push(...batches.flat());
    await expectNetworkExact(sites, events);

    // Each part's freshness: every peer's heartbeats arrive (the stack's mirror beats every second).
    for (const site of sites) {
      const { body } = await site.query.get('/v1/availability/SKU-1');
      expect(
        body.dataCentres.map((d: { dataCentre: string; local: boolean; stale: boolean }) => [
          d.dataCentre,
          d.local,
          d.stale,
        ]),
      ).toEqual([
        [site.dc, true, false],
        ...dataCentres.filter((dc) => dc !== site.dc).map((dc) => [dc, false, false]),
      ]);
      for (const part of body.dataCentres.slice(1)) {
        expect(part.lagMs).toBeGreaterThanOrEqual(0);
        expect(part.lagMs).toBeLessThanOrEqual(3_000);
      }
    }
  });

  it("answers another data centre's location, a region over all three, and the batch route, from the same view", async () => {
    const { bySku } = expectedOf(events);
    const at = bySku.get('SKU-1') as Map<string, number>;
    const dc1 = sites[0] as Site;
    const remote = homed('dc3', 'W-1');
    const one = await dc1.query.get(`/v1/locations/${remote}/availability/SKU-1`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      sku: 'SKU-1',
      locationId: remote,
      onHand: at.get(remote),
      dataCentre: 'dc3',
    });
    const west = await dc1.query.get('/v1/availability/SKU-1?region=west');
    const westOnHand = [...at]
      .filter(([id]) => id.endsWith('S-3') || id.endsWith('W-1'))
      .reduce((s, [, n]) => s + n, 0);
    expect(west.body.onHand).toBe(westOnHand);
    const batch = await (sites[1] as Site).query.get('/v1/availability/SKU-1');
    expect(batch.body.onHand).toBe([...at.values()].reduce((s, n) => s + n, 0));
  });

  it("is exact again after a data centre's Redis lost every key: its aggregator restores its own, the copies are read again", async () => {
    const dc2 = sites[1] as Site;
    const admin = redisOf(stackEndpoints('dc2').REDIS_URL);
    try {
      const keys = await keysMatching(admin, `${prefix}:*`);
      expect(keys.some((k) => k.includes(':peer:dc1:'))).toBe(true);
      expect(keys.some((k) => k.includes(':peer:dc3:'))).toBe(true);
      for (let i = 0; i < keys.length; i += 500) await admin.del(...keys.slice(i, i + 500));
    } finally {
      admin.disconnect();
    }
    // More events meanwhile, in every data centre.
    const more = dataCentres.map((dc, i) =>
      eventsOf(dc, 200, 101 + i).map((e) => ({ ...e, eventId: `${e.eventId}-more` })),
    );
    for (const [i, dc] of dataCentres.entries()) await produceEvents(dc, more[i] as InventoryEvent[]);
    events.push(...more.flat());
    await expectNetworkExact([dc2, ...sites.filter((s) => s !== dc2)], events);
    expect(await dc2.aggregator.metric('aggregator_peer_rewinds_total')).toBeGreaterThanOrEqual(2);
  });

  const partOf = async (site: Site, dc: DataCentre) => {
    const { status, body } = await site.query.get('/v1/availability/SKU-1');
    return status === 200
      ? (body.dataCentres as { dataCentre: string; stale: boolean }[]).find((d) => d.dataCentre === dc)
      : undefined;
  };

  it("keeps answering while a data centre's Kafka is stopped, that part marked stale, and is exact in all three once it is back", async () => {
    const [dc1, dc2] = sites as [Site, Site, Site];
    await stopStackPart('kafka', 60_000, 'dc3');
    const stoppedAt = Date.now();
    try {
      // The others take traffic meanwhile, for the minute the outage lasts: every client of
      // dc3 (its aggregator, its query API, the mirror) retries that long and must go on after.
      for (let round = 0; round === 0 || Date.now() - stoppedAt < 60_000; round++) {
        const during = (['dc1', 'dc2'] as const).map((dc, i) =>
          eventsOf(dc, 50, 201 + 10 * round + i).map((e) => ({
            ...e,
            eventId: `${e.eventId}-during-${round}`,
          })),
        );
        for (const [i, dc] of (['dc1', 'dc2'] as const).entries())
          await produceEvents(dc, during[i] as InventoryEvent[]);
        events.push(...during.flat());
        if (round > 0) await delay(5_000);
      }
      for (const site of [dc1, dc2])
        await waitFor(async () => (await partOf(site, 'dc3'))?.stale === true, {
          description: `${site.dc} to mark dc3's part stale`,
          timeoutMs: 30_000,
          intervalMs: 250,
        });
      // Still exact: their own state and the last of dc3's that arrived.
      await expectNetworkExact([dc1, dc2], events);
      expect((await partOf(dc1, 'dc2'))?.stale).toBe(false);
    } finally {
      const up = stackUp({ dataCentres: 3 });
      expect(up.status, up.stderr).toBe(0);
    }
    const after = eventsOf('dc3', 200, 301).map((e) => ({ ...e, eventId: `${e.eventId}-after` }));
    await produceEvents('dc3', after);
    events.push(...after);
    await expectNetworkExact(sites, events);
    for (const site of [dc1, dc2])
      await waitFor(async () => (await partOf(site, 'dc3'))?.stale === false, {
        description: `${site.dc} to see dc3's heartbeats again`,
        timeoutMs: 60_000,
        intervalMs: 250,
      });
  }, 300_000);

  it('counts nothing twice after MirrorMaker 2 is killed with SIGKILL and started again', async () => {
    const pid = stackPartPid('mirror-maker');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !processAlive(pid), { description: 'the mirror to die', timeoutMs: 10_000 });
    const meanwhile = dataCentres.map((dc, i) =>
      eventsOf(dc, 200, 401 + i).map((e) => ({ ...e, eventId: `${e.eventId}-meanwhile` })),
    );
    for (const [i, dc] of dataCentres.entries()) await produceEvents(dc, meanwhile[i] as InventoryEvent[]);
    events.push(...meanwhile.flat());
    const up = stackUp({ dataCentres: 3 });
    expect(up.status, up.stderr).toBe(0);
    // Copies sent again after the restart are the same versions: nothing moves twice.
    await expectNetworkExact(sites, events);
  });
});
