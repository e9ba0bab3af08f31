import { connect } from 'node:net';
import { createCodec, type SkuAvailability } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { waitDrained } from '@inventory/inventory-aggregator-test';
import { createProducer } from '@inventory/kafka';
import { tokens } from '@inventory/store-ingest-test';
import { stackEndpoints, testKafka } from '@inventory/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestQueryApi, type TestQueryApi, usePlatform } from './support.ts';

/**
 * End to end on the real stack: events posted to the real store-ingest app are folded by
 * the real aggregator process, and the query API answers from the Redis it wrote.
 */
describe('query API end to end', () => {
  const platform = usePlatform({
    query: { QUERY_CACHE_MAX_AGE_SECONDS: '1', QUERY_SSE_HEARTBEAT_MS: '200' },
  });
  let api: FastifyInstance;
  // Event times relative to one fixed base, an hour ago.
  const base = Math.floor((Date.now() - 60 * 60_000) / 1000) * 1000;
  const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
  let n = 0;
  const post = async (events: Record<string, unknown>[]) => {
    const response = await platform.post(
      tokens.central,
      events.map((e) => ({ eventId: `e2e-${platform.world.prefix}-${n++}`, ...e })),
    );
    expect(response.statusCode, response.body).toBe(202);
  };
  const get = (url: string, key = 'shop-key', headers: Record<string, string> = {}) =>
    api.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}`, ...headers } });

  /** The app as main builds it, against the real Redis and change feed of this world. */
  const buildApi = async (settings: Record<string, string> = {}) => {
    const built = await buildTestQueryApi(platform.world, {
      QUERY_CACHE_MAX_AGE_SECONDS: '1',
      QUERY_SSE_HEARTBEAT_MS: '200',
      ...settings,
    });
    opened.push(built);
    return built;
  };
  const opened: TestQueryApi[] = [];

  beforeAll(async () => {
    await post([
      { type: 'RECEIPT', sku: 'SKU-A', locationId: 'S-1', quantity: 10, occurredAt: at(1) },
      { type: 'RECEIPT', sku: 'SKU-A', locationId: 'S-3', quantity: 5, occurredAt: at(2) },
      { type: 'SALE', sku: 'SKU-A', locationId: 'S-1', quantity: 2, occurredAt: at(3) },
      { type: 'RECEIPT', sku: 'SKU-B', locationId: 'W-1', quantity: 7, occurredAt: at(4) },
      { type: 'COUNT', sku: 'SKU-B', locationId: 'S-2', quantity: 3, occurredAt: at(5) },
      ...['SKU-C', 'SKU-D', 'SKU-E'].map((sku, i) => ({
        type: 'RECEIPT',
        sku,
        locationId: 'S-1',
        quantity: 1 + i,
        occurredAt: at(6),
      })),
    ]);
    await waitDrained(platform.redis, platform.world);
    api = platform.query.api;
  });
  afterAll(async () => {
    for (const built of opened) await built.close();
  });

  it('answers a sku network-wide and per location, with filters by location and region', async () => {
    const response = await get('/v1/availability/SKU-A');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      sku: 'SKU-A',
      onHand: 13,
      reserved: 0,
      available: 13,
      inStock: true,
      asOf: new Date(Date.parse(at(3))).toISOString(),
      discontinued: false,
      locations: [
        {
          locationId: 'S-1',
          onHand: 8,
          reserved: 0,
          available: 8,
          inStock: true,
          updatedAt: new Date(Date.parse(at(3))).toISOString(),
        },
        {
          locationId: 'S-3',
          onHand: 5,
          reserved: 0,
          available: 5,
          inStock: true,
          updatedAt: new Date(Date.parse(at(2))).toISOString(),
        },
      ],
    });
    expect((await get('/v1/availability/SKU-A?region=north')).json()).toMatchObject({
      onHand: 8,
      locations: [{ locationId: 'S-1' }],
    });
    expect((await get('/v1/availability/SKU-A?locationId=S-3&locationId=S-2')).json()).toMatchObject({
      onHand: 5,
      locations: [{ locationId: 'S-3' }],
    });
    expect((await get('/v1/locations/W-1/availability/SKU-B')).json()).toMatchObject({
      sku: 'SKU-B',
      onHand: 7,
      inStock: true,
    });
  });

  it('answers concurrent reads each with its own sku; to a single Redis their commands go out together', async () => {
    const { redis } = platform.query.clients;
    // redisOf: a Redis Cluster client sends each command as it comes (ioredis#2075).
    const cluster = process.env.INVENTORY_TEST_REDIS === 'cluster';
    expect(redis.options.enableAutoPipelining ?? false).toBe(!cluster);
    const skus = ['SKU-A', 'SKU-B', 'SKU-C', 'SKU-D', 'SKU-E', 'SKU-NONE'];
    const answers = await Promise.all(
      [...skus, ...skus].map(async (sku) => {
        const response = await get(`/v1/availability/${sku}`);
        return [
          response.statusCode,
          response.json().sku ?? response.json().error.code,
          response.json().onHand,
        ];
      }),
    );
    const once = [
      [200, 'SKU-A', 13],
      [200, 'SKU-B', 10],
      [200, 'SKU-C', 1],
      [200, 'SKU-D', 2],
      [200, 'SKU-E', 3],
      [404, 'UNKNOWN_SKU', undefined],
    ];
    expect(answers).toEqual([...once, ...once]);
  });

  it('404 with a clear code for an unknown sku, or a sku never held at a location', async () => {
    const unknown = await get('/v1/availability/NOPE');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('UNKNOWN_SKU');
    const notHere = await get('/v1/locations/S-3/availability/SKU-B');
    expect(notHere.statusCode).toBe(404);
    expect(notHere.json().error.code).toBe('UNKNOWN_SKU_AT_LOCATION');
  });

  it('lists every location with its master data, in locationId order, to a reading key only', async () => {
    const response = await get('/v1/locations');
    expect(response.statusCode).toBe(200);
    const location = (locationId: string, kind: string, region: string) => ({
      locationId,
      kind,
      name: locationId,
      region,
      dataCentre: `dc-${region}`,
      active: true,
    });
    expect(response.json()).toEqual({
      locations: [
        location('S-1', 'STORE', 'north'),
        location('S-2', 'STORE', 'north'),
        location('S-3', 'STORE', 'west'),
        location('W-1', 'WAREHOUSE', 'west'),
      ],
    });
    expect((await get('/v1/locations', 'no-scope-key')).statusCode).toBe(403);
  });

  it('batch: one entry per sku, unknown ones marked without failing the batch', async () => {
    const response = await api.inject({
      method: 'POST',
      url: '/v1/availability/batch',
      headers: { authorization: 'Bearer shop-key', 'content-type': 'application/json' },
      payload: JSON.stringify({ skus: ['SKU-B', 'NOPE', 'SKU-A'] }),
    });
    expect(response.statusCode).toBe(200);
    const results = response.json().results as { sku: string; found: boolean; onHand?: number }[];
    expect(results.map((r) => [r.sku, r.found, r.onHand])).toEqual([
      ['SKU-B', true, 10],
      ['NOPE', false, undefined],
      ['SKU-A', true, 13],
    ]);
    const filtered = await api.inject({
      method: 'POST',
      url: '/v1/availability/batch',
      headers: { authorization: 'Bearer shop-key', 'content-type': 'application/json' },
      payload: JSON.stringify({ skus: ['SKU-A', 'SKU-B'], region: 'west', includeLocations: false }),
    });
    expect(filtered.json().results).toEqual([
      {
        found: true,
        sku: 'SKU-A',
        onHand: 5,
        reserved: 0,
        available: 5,
        inStock: true,
        asOf: expect.any(String),
        discontinued: false,
      },
      {
        found: true,
        sku: 'SKU-B',
        onHand: 7,
        reserved: 0,
        available: 7,
        inStock: true,
        asOf: expect.any(String),
        discontinued: false,
      },
    ]);
    const tooMany = await api.inject({
      method: 'POST',
      url: '/v1/availability/batch',
      headers: { authorization: 'Bearer shop-key', 'content-type': 'application/json' },
      payload: JSON.stringify({ skus: Array.from({ length: 1001 }, (_, i) => `SKU-${i}`) }),
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.details).toEqual([
      { path: 'body/skus', message: expect.stringContaining('1000') },
    ]);
  });

  it('says which skus the ERP calls discontinued, on every sku answer', async () => {
    // Written by the reconciliation job (apps/stock-reconciliation) beside the stock state.
    const since = '2026-12-01T02:00:03.000Z';
    await platform.redis.hset(`${platform.world.prefix}:discontinued`, 'SKU-B', since);
    try {
      expect((await get('/v1/availability/SKU-B')).json()).toMatchObject({
        discontinued: true,
        discontinuedAt: since,
      });
      expect((await get('/v1/availability/SKU-A')).json()).toMatchObject({ discontinued: false });
      expect((await get('/v1/availability/SKU-A')).json().discontinuedAt).toBeUndefined();
      expect((await get('/v1/locations/W-1/availability/SKU-B')).json()).toMatchObject({
        discontinued: true,
        discontinuedAt: since,
      });
      for (const includeLocations of [true, false]) {
        const batch = await api.inject({
          method: 'POST',
          url: '/v1/availability/batch',
          headers: { authorization: 'Bearer shop-key', 'content-type': 'application/json' },
          payload: JSON.stringify({ skus: ['SKU-A', 'SKU-B', 'NOPE'], includeLocations }),
        });
        const results = batch.json().results as { sku: string; discontinued?: boolean }[];
        expect(results.map((r) => [r.sku, r.discontinued])).toEqual([
          ['SKU-A', false],
          ['SKU-B', true],
          ['NOPE', undefined],
        ]);
      }
    } finally {
      await platform.redis.hdel(`${platform.world.prefix}:discontinued`, 'SKU-B');
    }
  });

  it("pages a store's assortment in sku order with a stable cursor", async () => {
    const seen: string[] = [];
    let url = '/v1/locations/S-1/availability?limit=2';
    for (let page = 0; page < 5; page++) {
      const body = (await get(url)).json() as {
        items: { sku: string; onHand: number }[];
        nextCursor: string | null;
      };
      seen.push(...body.items.map((i) => i.sku));
      if (!body.nextCursor) break;
      url = `/v1/locations/S-1/availability?limit=2&cursor=${body.nextCursor}`;
    }
    expect(seen).toEqual(['SKU-A', 'SKU-C', 'SKU-D', 'SKU-E']);
  });

  it('ETag revalidation (304) and a private Cache-Control bound; a new event changes the answer at once', async () => {
    const first = await get('/v1/availability/SKU-A');
    // An answer needs a key: no shared cache may keep it, and a cache must key it by Authorization.
    expect([first.headers['cache-control'], first.headers.vary]).toEqual([
      'private, max-age=1, must-revalidate',
      'Authorization',
    ]);
    const locations = await get('/v1/locations');
    expect([locations.headers['cache-control'], locations.headers.vary]).toEqual([
      'private, max-age=1, must-revalidate',
      'Authorization',
    ]);
    const refused = await get('/v1/availability/SKU-A', 'no-such-key');
    expect([refused.statusCode, refused.headers['cache-control']]).toEqual([401, 'no-store']);
    const etag = first.headers.etag as string;
    expect((await get('/v1/availability/SKU-A', 'shop-key', { 'if-none-match': etag })).statusCode).toBe(304);
    await post([{ type: 'SALE', sku: 'SKU-A', locationId: 'S-3', quantity: 4, occurredAt: at(30) }]);
    await waitFor(async () => (await get('/v1/availability/SKU-A')).json().onHand === 9, {
      description: 'the sale to be visible through the query API',
      timeoutMs: 30_000,
    });
    const after = await get('/v1/availability/SKU-A', 'shop-key', { 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(after.json().asOf).toBe(new Date(Date.parse(at(30))).toISOString());
  });

  it('401 without or with an unknown key, 403 without the scope, 400 naming every bad parameter', async () => {
    expect((await api.inject({ url: '/v1/availability/SKU-A' })).statusCode).toBe(401);
    expect((await get('/v1/availability/SKU-A', 'wrong-key')).json().error.code).toBe('INVALID_CREDENTIALS');
    const noScope = await get('/v1/availability/SKU-A', 'no-scope-key');
    expect(noScope.statusCode).toBe(403);
    expect(noScope.json().error.code).toBe('MISSING_SCOPE');
    const badPath = await get('/v1/locations/S%201/availability');
    expect(badPath.statusCode).toBe(400);
    expect(badPath.json().error.details).toEqual([
      { path: 'params/locationId', message: expect.stringContaining('pattern') },
    ]);
    const badQuery = await get('/v1/locations/S-1/availability?limit=0&color=red');
    expect(badQuery.statusCode).toBe(400);
    const paths = (badQuery.json().error.details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(['querystring/color', 'querystring/limit']);
  });

  it('SSE: a snapshot, then every change; a reconnect with Last-Event-ID resumes without missing one', async () => {
    const address = await api.listen({ host: '127.0.0.1', port: 0 });
    type Event = { id: string; sku: string; onHand: number; version: number };
    const open = async (lastEventId?: string) => {
      const controller = new AbortController();
      const response = await fetch(`${address}/v1/availability/changes?sku=SKU-A&sku=SKU-B`, {
        headers: {
          authorization: 'Bearer shop-key',
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        signal: controller.signal,
      });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const events: Event[] = [];
      let heartbeats = 0;
      let buffer = '';
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      void (async () => {
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done) return;
          buffer += new TextDecoder().decode(value);
          let cut = buffer.indexOf('\n\n');
          while (cut >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            if (block.startsWith(': heartbeat')) heartbeats++;
            const id = /^id: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (id && data) events.push({ id, ...JSON.parse(data) });
            cut = buffer.indexOf('\n\n');
          }
        }
      })();
      return { events, heartbeats: () => heartbeats, close: () => controller.abort() };
    };

    const first = await open();
    await waitFor(() => first.events.length >= 2, {
      description: 'the snapshot of both skus',
      timeoutMs: 10_000,
    });
    const onHandA = first.events.find((e) => e.sku === 'SKU-A')?.onHand as number;
    await post([{ type: 'SALE', sku: 'SKU-A', locationId: 'S-1', quantity: 1, occurredAt: at(40) }]);
    await waitFor(() => first.events.some((e) => e.sku === 'SKU-A' && e.onHand === onHandA - 1), {
      description: 'the sale pushed to the subscriber',
      timeoutMs: 30_000,
    });
    await waitFor(() => first.heartbeats() > 0, { description: 'a heartbeat', timeoutMs: 5_000 });
    const lastId = first.events.at(-1)?.id as string;
    const versionB = first.events.filter((e) => e.sku === 'SKU-B').at(-1)?.version as number;
    first.close();

    // While disconnected: a change of SKU-B. The resumed stream must deliver it, and only it.
    await post([{ type: 'RECEIPT', sku: 'SKU-B', locationId: 'W-1', quantity: 5, occurredAt: at(41) }]);
    await waitFor(async () => (await get('/v1/availability/SKU-B')).json().onHand === 15, {
      description: 'the receipt folded',
      timeoutMs: 30_000,
    });
    const resumed = await open(lastId);
    await waitFor(() => resumed.events.length >= 1, {
      description: 'the missed change after resume',
      timeoutMs: 10_000,
    });
    expect(resumed.events.map((e) => [e.sku, e.onHand])).toEqual([['SKU-B', 15]]);
    expect(resumed.events[0]?.version).toBeGreaterThan(versionB);
    resumed.close();
  });

  it('429 with Retry-After once a key exhausts its burst; other keys are unaffected', async () => {
    const limited = (await buildApi({ QUERY_RATE_PER_SECOND: '1', QUERY_RATE_BURST: '3' })).api;
    {
      const ask = (key: string) =>
        limited.inject({ url: '/v1/availability/SKU-A', headers: { authorization: `Bearer ${key}` } });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await ask('shop-key')).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await ask('shop-key');
      expect(refused.json().error.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await ask('store-key')).statusCode).toBe(200);
    }
  });

  it('serves health, readiness (503 when Redis is not answering), metrics and the OpenAPI document', async () => {
    expect((await api.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await api.inject({ url: '/readyz' })).statusCode).toBe(200);
    // A Redis that does not answer: nothing listens on port 1.
    const notReady = (await buildApi({ QUERY_REDIS_URL: 'redis://127.0.0.1:1' })).api;
    const readyz = await notReady.inject({ url: '/readyz' });
    expect(readyz.statusCode).toBe(503);
    expect(readyz.json()).toMatchObject({ status: 'not ready', checks: { redis: { ok: false } } });
    await get('/v1/availability/SKU-A');
    await get('/v1/availability/NOPE');
    const metrics = (await api.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/http_requests_total\{route="\/v1\/availability\/:sku",status="200"\} [1-9]/);
    expect(metrics).toMatch(/http_requests_total\{route="\/v1\/availability\/:sku",status="404"\} [1-9]/);
    const openapi = (await api.inject({ url: '/docs/json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths).sort()).toEqual([
      '/v1/availability/batch',
      '/v1/availability/changes',
      '/v1/availability/{sku}',
      '/v1/locations',
      '/v1/locations/{locationId}/availability',
      '/v1/locations/{locationId}/availability/{sku}',
      '/v1/orders',
      '/v1/reservations',
      '/v1/reservations/{reservationId}',
      '/v1/reservations/{reservationId}/commit',
    ]);
  });

  it('SSE: a client that stops reading is cut off; a reading client of the same sku gets every change', async () => {
    const built = await buildApi({ QUERY_SSE_MAX_BUFFER_BYTES: '65536', QUERY_SSE_HEARTBEAT_MS: '60000' });
    const server = built.api;
    const address = new URL(await server.listen({ host: '127.0.0.1', port: 0 }));
    // A raw socket that sends the request and never reads: the server's writes back up.
    const stalled = connect(Number(address.port), '127.0.0.1');
    const reader = new AbortController();
    try {
      stalled.write(
        'GET /v1/availability/changes?sku=SKU-STALL HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer store-key\r\n\r\n',
      );
      stalled.pause();
      const reading = await fetch(`${address.origin}/v1/availability/changes?sku=SKU-STALL`, {
        headers: { authorization: 'Bearer shop-key' },
        signal: reader.signal,
      });
      let lastVersion = 0;
      void (async () => {
        let tail = '';
        for await (const chunk of reading.body as unknown as AsyncIterable<Uint8Array>) {
          const text = tail + Buffer.from(chunk).toString('utf8');
          for (const match of text.matchAll(/"version":(\d+)\}/g)) lastVersion = Number(match[1]);
          tail = text.slice(-40);
        }
      })().catch(() => {});
      const drops = async () => (await built.app.metrics.sseDropped.get()).values[0]?.value ?? 0;
      const dropsBefore = await drops();

      // Changes of the sku straight onto the availability topic, as the aggregator publishes them.
      const changesCount = 40_000;
      const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
      const producer = createProducer(testKafka());
      await producer.connect();
      for (let from = 1; from <= changesCount; from += 5_000) {
        const messages = [];
        for (let version = from; version < from + 5_000; version++) {
          const change: SkuAvailability = {
            sku: 'SKU-STALL',
            onHand: version,
            reserved: 0,
            available: version,
            asOf: Date.now(),
            regions: [],
            version,
          };
          messages.push({
            key: 'SKU-STALL',
            value: await codec.encode(`${platform.world.availability}-value`, 'SkuAvailability', change),
          });
        }
        await producer.send({ topic: platform.world.availability, messages });
      }
      await producer.disconnect();

      await waitFor(async () => (await drops()) > dropsBefore, {
        description: () => `the stalled client to be cut off (the reading one is at version ${lastVersion})`,
        timeoutMs: 60_000,
      });
      await waitFor(() => lastVersion === changesCount, {
        description: () => `the reading client to get the last change (at ${lastVersion})`,
        timeoutMs: 60_000,
      });
      // Exactly one client was cut off, and the reading one got every change: the stalled one.
      expect((await drops()) - dropsBefore).toBe(1);
    } finally {
      reader.abort();
      stalled.destroy();
      await server.close();
    }
  });
});
