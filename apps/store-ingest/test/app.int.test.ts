import { createCodec, type InventoryEvent } from '@inventory/codec';
import { parseIngestConfig } from '@inventory/store-ingest';
import { collect, createNamedTopic, createTestTopic, testKafka, uniqueTopic } from '@inventory/testkit';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestIngest, ingestEnv, storeEvent, type TestIngest, tokens } from './support.ts';

const json = { 'content-type': 'application/json' };
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('store-ingest against real Kafka', () => {
  let ingest: TestIngest;
  let admin: Admin;
  let topic: string;

  const post = (payload: unknown, headers: Record<string, string> = { ...json, ...auth(tokens.store1) }) =>
    ingest.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const topicSize = async () =>
    (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  const readAll = async (count: number) => {
    const consumer = await collect(testKafka(), topic);
    const messages = await consumer.waitForCount(count);
    await consumer.stop();
    return messages.map((m) => ({
      key: m.message.key?.toString(),
      client: m.message.headers?.['inventory-client']?.toString(),
      raw: m.message.value as Buffer,
    }));
  };

  beforeAll(async () => {
    topic = await createTestTopic('ingest', 3);
    admin = testKafka().admin();
    await admin.connect();
    ingest = await buildTestIngest(topic, { INGEST_RATE_PER_SECOND: '1000', INGEST_RATE_BURST: '1000' });
  });
  afterAll(async () => {
    await ingest.close();
    await admin.disconnect();
  });

  it('accepts one event, an envelope and NDJSON; every event reads back field by field, keyed by sku', async () => {
    const single = storeEvent();
    const batch = [
      storeEvent({ type: 'RECEIPT' }),
      storeEvent({ type: 'ADJUSTMENT', quantity: -3 }),
      storeEvent({ type: 'COUNT', quantity: 0 }),
    ];
    const lines = [storeEvent({ type: 'RETURN' }), storeEvent({ type: 'TRANSFER_OUT' })];
    const before = Date.now();
    expect((await post(single)).json()).toEqual({ accepted: 1 });
    const second = await post({ events: batch });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual({ accepted: 3 });
    const third = await post(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`, {
      'content-type': 'application/x-ndjson',
      ...auth(tokens.store1),
    });
    expect(third.statusCode).toBe(202);

    const sent = [single, ...batch, ...lines];
    const read = await readAll(sent.length);
    const registryCodec = createCodec({ registryUrl: ingest.config.SCHEMA_REGISTRY_URL });
    const decoded = await Promise.all(read.map((r) => registryCodec.decode(r.raw, 'InventoryEvent')));
    for (const original of sent) {
      const event = decoded.find((d) => d.clientEventId === original.eventId) as InventoryEvent;
      expect(event).toEqual({
        eventId: `store:store-1:${original.eventId}`,
        type: original.type,
        sku: original.sku,
        locationId: original.locationId,
        quantity: original.quantity,
        occurredAt: Date.parse(original.occurredAt as string),
        recordedAt: expect.any(Number),
        source: 'STORE',
        sourceRef: original.reference,
        clientId: 'store-1',
        clientEventId: original.eventId,
      });
      expect(event.recordedAt).toBeGreaterThanOrEqual(before);
      const record = read[decoded.indexOf(event)];
      expect(record?.key).toBe(original.sku);
      expect(record?.client).toBe('store-1');
    }
  });

  it('refuses a batch with one bad event as a whole, naming every bad field, and writes nothing', async () => {
    const size = await topicSize();
    const response = await post({
      events: [
        storeEvent(),
        storeEvent({ quantity: '2', sku: 'bad sku' }),
        storeEvent({ type: 'COUNT', quantity: -1, extra: true }),
      ],
    });
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual(
      expect.arrayContaining([
        { index: 1, path: 'quantity', message: 'must be a JSON integer' },
        { index: 1, path: 'sku', message: expect.any(String) },
        { index: 2, path: 'quantity', message: 'must be >= 0 for COUNT' },
        { index: 2, path: 'extra', message: 'unknown field' },
      ]),
    );
    expect(error.details).toHaveLength(4);
    expect(await topicSize()).toBe(size);
  });

  it('coalesces concurrent single-event POSTs into shared produce requests; each is answered once its events are in Kafka', async () => {
    const size = await topicSize();
    const histogram = async () => {
      const metric = (await ingest.metrics.eventsPerSend.get()).values;
      const pick = (name: string) => metric.find((v) => v.metricName === name)?.value ?? 0;
      return {
        requests: pick('ingest_events_per_produce_count'),
        events: pick('ingest_events_per_produce_sum'),
      };
    };
    const before = await histogram();
    const responses = await Promise.all(Array.from({ length: 64 }, () => post(storeEvent())));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(64).fill(202));
    expect(await topicSize()).toBe(size + 64);
    const after = await histogram();
    expect(after.events - before.events).toBe(64);
    // One request in flight at a time: the 63 that arrive while the first is on its way share.
    expect(after.requests - before.requests).toBeLessThan(64);
  });

  it('accepts the same batch twice with identical eventIds (deduplication is downstream)', async () => {
    const size = await topicSize();
    const batch = { events: [storeEvent(), storeEvent()] };
    expect((await post(batch)).statusCode).toBe(202);
    expect((await post(batch)).statusCode).toBe(202);
    expect(await topicSize()).toBe(size + 4);
  });

  it('401 without or with an unknown token, 403 for another store, nothing written', async () => {
    const size = await topicSize();
    const missing = await post(storeEvent(), json);
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.json().error.code).toBe('UNAUTHENTICATED');
    const unknown = await post(storeEvent(), { ...json, ...auth('not-a-token') });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('INVALID_CREDENTIALS');
    const other = await post({ events: [storeEvent(), storeEvent({ locationId: 'STORE-002' })] });
    expect(other.statusCode).toBe(403);
    expect(other.json().error.details).toEqual([
      { index: 1, path: 'locationId', message: 'STORE-002 is not a location of store-1' },
    ]);
    const central = await post(storeEvent({ locationId: 'STORE-002' }), { ...json, ...auth(tokens.central) });
    expect(central.statusCode).toBe(202);
    expect(await topicSize()).toBe(size + 1);
  });

  it('413 for too many events or too many bytes, 415 for another type, 400 for malformed JSON with its line', async () => {
    const size = await topicSize();
    const many = await post({ events: Array.from({ length: 1001 }, () => storeEvent()) });
    expect(many.statusCode).toBe(413);
    expect(many.json().error.code).toBe('TOO_MANY_EVENTS');
    const big = await post({ events: [storeEvent({ reference: 'x'.repeat(1024 * 1024) })] });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const text = await post('hello', { 'content-type': 'text/plain', ...auth(tokens.store1) });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const broken = await post('{\n  "eventId": "x",\n  "type": SALE\n}');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toMatchObject({
      code: 'MALFORMED_JSON',
      message: expect.stringContaining('line 3'),
    });
    const ndjson = await post(`${JSON.stringify(storeEvent())}\n{"eventId":`, {
      'content-type': 'application/x-ndjson',
      ...auth(tokens.store1),
    });
    expect(ndjson.statusCode).toBe(400);
    expect(ndjson.json().error.message).toMatch(/^line 2 /);
    expect(await topicSize()).toBe(size);
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await ingest.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await ingest.app.inject({ url: '/readyz' })).json()).toEqual({
      status: 'ready',
      checks: { kafka: { ok: true } },
    });
    const metrics = (await ingest.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/ingest_events_accepted_total \d+/);
    expect(metrics).toMatch(/ingest_events_refused_total\{reason="VALIDATION_FAILED"\} [1-9]/);
    expect(metrics).toMatch(/ingest_produce_latency_seconds_count [1-9]/);
    const openapi = (await ingest.app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(openapi.paths)).toEqual(['/v1/events']);
    expect(Object.keys(openapi.paths['/v1/events'].post.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '403', '413', '415', '429', '503']),
    );
    expect((await ingest.app.inject({ url: '/docs/' })).statusCode).toBe(200);
  });
});

describe('store-ingest produce requests bounded by bytes', () => {
  it('coalesced requests of one sku and a request larger than the bound reach a topic of 16 KiB batches: every event once', async () => {
    // One partition, one sku: every coalesced event lands in one record batch, which the
    // topic refuses for good (MESSAGE_TOO_LARGE) once it is over 16 KiB.
    const topic = uniqueTopic('ingest-bytes');
    await createNamedTopic(topic, 1, { 'max.message.bytes': '16384' });
    const ingest = await buildTestIngest(topic, { INGEST_MAX_BYTES_PER_SEND: '8192' });
    const post = (events: Record<string, unknown>[]) =>
      ingest.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { ...json, ...auth(tokens.store1) },
        payload: JSON.stringify({ events }),
      });
    try {
      const requests = Array.from({ length: 48 }, () =>
        Array.from({ length: 20 }, () => storeEvent({ sku: 'SKU-HOT' })),
      );
      const large = Array.from({ length: 200 }, () => storeEvent({ sku: 'SKU-HOT' }));
      const responses = await Promise.all([...requests, large].map(post));
      expect(responses.map((r) => r.statusCode)).toEqual(Array(49).fill(202));

      const sent = [...requests.flat(), ...large].map((e) => `store:store-1:${e.eventId}`);
      const consumer = await collect(testKafka(), topic);
      const read = await consumer.waitForCount(sent.length);
      await consumer.stop();
      const admin = testKafka().admin();
      await admin.connect();
      const [end] = await admin.fetchTopicOffsets(topic);
      await admin.disconnect();
      expect(Number(end?.high)).toBe(sent.length);
      const ids = read.map((m) => m.message.headers?.['inventory-event-id']?.toString());
      expect(ids.sort()).toEqual(sent.sort());
    } finally {
      await ingest.close();
    }
  });
});

describe('store-ingest rate limit', () => {
  it('429 with Retry-After once a token exhausts its burst; other tokens are unaffected', async () => {
    const topic = await createTestTopic('ingest-rate', 1);
    const ingest = await buildTestIngest(topic, { INGEST_RATE_PER_SECOND: '1', INGEST_RATE_BURST: '2' });
    const post = (token: string) =>
      ingest.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { ...json, ...auth(token) },
        payload: JSON.stringify(
          storeEvent({ locationId: token === tokens.store2 ? 'STORE-002' : 'STORE-001' }),
        ),
      });
    try {
      const statuses = [(await post(tokens.store1)).statusCode, (await post(tokens.store1)).statusCode];
      const limited = await post(tokens.store1);
      expect(statuses).toEqual([202, 202]);
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited.json().error.code).toBe('RATE_LIMITED');
      expect((await post(tokens.store2)).statusCode).toBe(202);
    } finally {
      await ingest.close();
    }
  });
});

describe('store-ingest rate limit per event', () => {
  it('a batch costs one token per event: 429 with Retry-After naming when it fits; other clients are unaffected', async () => {
    const topic = await createTestTopic('ingest-event-rate', 1);
    const ingest = await buildTestIngest(topic, {
      INGEST_EVENTS_RATE_PER_SECOND: '10',
      INGEST_EVENTS_RATE_BURST: '1000',
      INGEST_MAX_NDJSON_EVENTS: '1000',
    });
    const post = (token: string, count: number) =>
      ingest.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { ...json, ...auth(token) },
        payload: JSON.stringify({
          events: Array.from({ length: count }, () =>
            storeEvent({ locationId: token === tokens.store2 ? 'STORE-002' : 'STORE-001' }),
          ),
        }),
      });
    try {
      expect((await post(tokens.store1, 1_000)).statusCode).toBe(202);
      // Within a second of the first, 300 events need 30 s of refill at 10/s.
      const limited = await post(tokens.store1, 300);
      expect([limited.statusCode, limited.headers['retry-after'], limited.json().error]).toEqual([
        429,
        '30',
        {
          code: 'RATE_LIMITED',
          message: 'rate limit of 10 events/s exceeded: these 300 events fit in 30 s',
          retriable: true,
          details: [],
          limit: 'events',
        },
      ]);
      expect((await post(tokens.store2, 1_000)).statusCode).toBe(202);
      const metrics = (await ingest.app.inject({ url: '/metrics' })).body;
      expect(metrics).toMatch(/^ingest_events_refused_total\{reason="RATE_LIMITED"\} 300$/m);
    } finally {
      await ingest.close();
    }
  });

  it('refuses a burst smaller than the largest batch, naming the settings', () => {
    expect(() => parseIngestConfig(ingestEnv('unused', { INGEST_EVENTS_RATE_BURST: '5000' }))).toThrow(
      'INGEST_EVENTS_RATE_BURST: must be at least the largest batch (INGEST_MAX_JSON_EVENTS, INGEST_MAX_NDJSON_EVENTS: 10000)',
    );
  });
});
