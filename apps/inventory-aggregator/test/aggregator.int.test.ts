import { createHash } from 'node:crypto';
import { createCodec, type InventoryEvent, type ReservationCommand } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { platformEvent } from '@inventory/domain';
import { createProducer } from '@inventory/kafka';
import { partitionOf, type StoredSku } from '@inventory/read-model';
import {
  collect,
  metricIn,
  stackEndpoints,
  testKafka,
  testRedis,
  uniqueName,
  valueNearRecordLimit,
} from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorld,
  expectCompactedExact,
  expectedAssortments,
  generateEvents,
  produceEvents,
  publishedStock,
  reachProgress,
  readAssortments,
  readerOf,
  readModel,
  reference,
  regions,
  startAggregator,
  type World,
  waitDrained,
} from './support.ts';

describe('inventory-aggregator against the real stack', () => {
  const redis = testRedis();
  let world: World;
  const events = generateEvents(3_000, 7);

  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('folds a stream with redeliveries and late deltas exactly; poison goes to the dead-letter topic with headers', async () => {
    const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
    await produceEvents(world, events.slice(0, 1_500));
    // Poison in the middle of the stream: not a frame, an unknown schema id, an impossible quantity.
    const producer = createProducer(testKafka());
    await producer.connect();
    const impossible = {
      ...(events[0] as (typeof events)[0]),
      eventId: 'loadgen:poison-3',
      type: 'SALE' as const,
      quantity: -5,
    };
    // A store's event naming an id of the platform's own namespace, and one too old to dedup.
    const foreign = { ...impossible, eventId: 'reservation-sale:r-1', source: 'STORE' as const, quantity: 5 };
    const old = {
      ...impossible,
      eventId: 'loadgen:poison-old',
      quantity: 5,
      occurredAt: Date.now() - 9 * 86_400_000,
    };
    const encode = (e: typeof impossible) => codec.encode(`${world.input}-value`, 'InventoryEvent', e);
    const poison = [
      { key: 'SKU-1', value: Buffer.from('{"not":"avro"}') },
      { key: 'SKU-2', value: Buffer.from([0, 0x7f, 0, 0, 1, 2, 3]) },
      { key: impossible.sku, value: await encode(impossible) },
      { key: foreign.sku, value: await encode(foreign) },
      { key: old.sku, value: await encode(old) },
    ];
    // Where each poison record lands: its partition (by key) and its offset in the send.
    const sent = await producer.send({ topic: world.input, messages: poison });
    const positions = new Map<number, number>(sent.map((r) => [r.partition, Number(r.baseOffset)]));
    const expectedPositions = poison.map((m) => {
      const partition = partitionOf(m.key, 6);
      const offset = positions.get(partition) as number;
      positions.set(partition, offset + 1);
      return `${partition}/${offset}`;
    });
    // A record near the topic's limit: its dead letter, with the headers added, would be over it.
    const near = valueNearRecordLimit();
    const [nearSent] = await producer.send({ topic: world.input, messages: [{ key: 'SKU-3', value: near }] });
    expectedPositions.push(`${nearSent?.partition}/${nearSent?.baseOffset}`);
    // A master-data record that does not decode is skipped; the other locations still count.
    await producer.send({
      topic: world.locations,
      messages: [{ key: 'S-9', value: Buffer.from('not avro') }],
    });
    await producer.disconnect();
    await produceEvents(world, events.slice(1_500));

    const aggregator = startAggregator(world);
    try {
      await waitDrained(redis, world);
      const model = await readModel(redis, world);
      expect(model.onHand).toEqual(reference(events));
      // The assortment index lists, per location, exactly the skus held there.
      expect(await readAssortments(redis, world)).toEqual(expectedAssortments(model.onHand));

      // Network totals: sums over locations, with the region breakdown from master data.
      for (const [sku, total] of model.totals) {
        const locations = [...model.onHand].filter(([key]) => key.startsWith(`${sku}|`));
        expect(total.onHand).toBe(locations.reduce((sum, [, v]) => sum + v, 0));
        for (const region of total.regions) {
          const inRegion = locations.filter(
            ([key]) => regions[key.split('|')[1] as string] === region.region,
          );
          expect(region.onHand, `${sku} ${region.region}`).toBe(inRegion.reduce((sum, [, v]) => sum + v, 0));
        }
      }

      const dlq = await collect(testKafka(), world.dlq);
      const dead = await dlq.waitForCount(6);
      await dlq.stop();
      expect(dead.map((m) => m.message.headers?.['dlq-error-code']?.toString()).sort()).toEqual([
        'BEYOND_DEDUP_HORIZON',
        'CODEC_MALFORMED',
        'CODEC_MALFORMED',
        'FOREIGN_EVENT_ID',
        'IMPOSSIBLE_VALUE',
        'SCHEMA_UNKNOWN',
      ]);
      const header = (m: (typeof dead)[number], name: string) => m.message.headers?.[name]?.toString();
      expect(
        dead.map((m) => `${header(m, 'dlq-original-partition')}/${header(m, 'dlq-original-offset')}`).sort(),
      ).toEqual(expectedPositions.sort());
      // The record near the limit is in its dead letter by size and SHA-256, not by its bytes.
      const standIns = dead.filter((m) => m.message.value === null);
      expect(
        standIns.map((m) => ({
          key: m.message.key?.toString(),
          code: header(m, 'dlq-error-code'),
          message: header(m, 'dlq-error-message'),
          bytes: header(m, 'dlq-value-bytes'),
          sha256: header(m, 'dlq-value-sha256'),
        })),
      ).toEqual([
        {
          key: 'SKU-3',
          code: 'CODEC_MALFORMED',
          message: 'unknown magic byte 120; expected 0',
          bytes: '1048480',
          sha256: createHash('sha256').update(near).digest('hex'),
        },
      ]);
      const messages = new Map(
        dead
          .filter((m) => m.message.value !== null)
          .map((m) => [header(m, 'dlq-error-code'), header(m, 'dlq-error-message')]),
      );
      expect(messages.get('CODEC_MALFORMED')).toBe('unknown magic byte 123; expected 0');
      expect(messages.get('IMPOSSIBLE_VALUE')).toBe('quantity -5 must be > 0 for SALE');
      expect(messages.get('FOREIGN_EVENT_ID')).toBe(
        'eventId "reservation-sale:r-1" is not in the store: namespace of source STORE',
      );
      expect(messages.get('SCHEMA_UNKNOWN')).toMatch(/schema with id 2130706433/);
      expect(messages.get('BEYOND_DEDUP_HORIZON')).toMatch(
        /is older than the deduplication horizon plus grace \(192 h\)/,
      );
      for (const m of dead) {
        expect(header(m, 'dlq-original-topic')).toBe(world.input);
        expect(header(m, 'dlq-consumer-group')).toBe(world.groupId);
        // Written while this test ran.
        expect(Date.now() - Date.parse(header(m, 'dlq-time') ?? '')).toBeLessThan(120_000);
      }
      const metrics = await (await fetch(`http://127.0.0.1:${aggregator.port}/metrics`)).text();
      expect(metrics).toMatch(/aggregator_dead_letters_total\{code="CODEC_MALFORMED"\} 2/);
      expect(metrics).toMatch(/aggregator_late_deltas_total [1-9]/);
      expect(metrics).toMatch(/aggregator_events_duplicate_total [1-9]/);
      // Each location x sku of the stream is read from Redis once; after that its partition's
      // cache answers for it (the bound, 10 000 states a partition, is never reached here).
      // A step that failed or a Redis that went back empties the cache: it is read again.
      const pairs = new Set(events.map((e) => `${e.sku}|${e.locationId}`));
      const read = metricIn(metrics, 'aggregator_state_lookups_total', { from: 'redis' });
      const emptied =
        metricIn(metrics, 'aggregator_step_failures_total') +
        metricIn(metrics, 'aggregator_redis_rewinds_total');
      if (emptied === 0) expect(read).toBe(pairs.size);
      else expect(read).toBeGreaterThanOrEqual(pairs.size);

      // The compacted stock topic: per key, the last record (what compaction keeps) is the
      // newest version, and equals the read model.
      await expectCompactedExact(world, model.onHand);
    } finally {
      aggregator.child.kill('SIGTERM');
      expect(await aggregator.exited, aggregator.output().slice(-4000)).toBe(0);
    }
  });

  it('outputs a crashed instance committed but did not publish (its outbox) are published by the next one', async () => {
    // Find a partition holding SKU state, and leave an outbox entry there as a crash after the
    // Lua step (before publication) would.
    const reader = readerOf(redis, world);
    const { value: found } = await reader.scanSkus().next();
    const { sku, stored } = found as { sku: string; stored: StoredSku };
    const partition = reader.partitionOf(sku);
    await redis.rpush(
      reader.keys.outbox(partition),
      JSON.stringify({ skus: [sku], reservations: [], outcomes: [], sales: [] }),
    );
    const locations = [...stored.locations.keys()];
    const admin = testKafka().admin();
    await admin.connect();
    const ends = new Map(
      (await admin.fetchTopicOffsets(world.stock)).map((p) => [p.partition, Number(p.high)]),
    );
    await admin.disconnect();

    // One more event of that sku makes the partition busy again, which flushes its outbox first.
    await produceEvents(world, [
      {
        ...(events[0] as (typeof events)[0]),
        eventId: 'loadgen:after-crash',
        occurredAt: Date.now(),
        recordedAt: Date.now(),
        sku,
        type: 'RECEIPT',
        quantity: 1,
      },
    ]);
    const aggregator = startAggregator(world);
    try {
      await waitDrained(redis, world);
      await waitFor(async () => (await redis.llen(reader.keys.outbox(partition))) === 0, {
        description: 'the outbox to be published and emptied',
        timeoutMs: 30_000,
      });
      const republished = (await publishedStock(world)).filter(
        ({ level, offset, partition }) => level.sku === sku && offset >= (ends.get(partition) ?? 0),
      );
      // Every location the sku had, from the outbox, plus the one changed by the new event.
      expect(republished.length).toBe(locations.length + 1);
    } finally {
      await aggregator.ready();
      aggregator.child.kill('SIGTERM');
      expect(await aggregator.exited, aggregator.output().slice(-4000)).toBe(0);
    }
  });
  it('a reconciliation COUNT as of T, published after sales that happened after T, keeps those sales', async () => {
    const sku = uniqueName('RECON-SKU');
    const T = Date.now() - 600_000;
    const movement = (eventId: string, type: InventoryEvent['type'], quantity: number, at: number) =>
      ({
        eventId: `store:test-tills:${sku}-${eventId}`,
        type,
        sku,
        locationId: 'S-2',
        quantity,
        occurredAt: at,
        recordedAt: at,
        source: 'STORE',
        sourceRef: null,
        clientId: 'test-tills',
        clientEventId: `${sku}-${eventId}`,
      }) satisfies InventoryEvent;
    const stored = () =>
      readerOf(redis, world)
        .locations([{ sku, locationId: 'S-2' }], { journals: true })
        .then(([state]) => state);
    const aggregator = startAggregator(world);
    try {
      // The movements before the snapshot, and those after it that reach Kafka before it.
      await produceEvents(world, [
        movement('count', 'COUNT', 30, T - 3_600_000),
        movement('before', 'SALE', 4, T - 1_000),
        movement('after-1', 'SALE', 2, T + 1_000),
        movement('after-2', 'SALE', 1, T + 2_000),
        movement('after-3', 'RECEIPT', 10, T + 3_000),
      ]);
      // Folded and stored (with their journal) before the COUNT arrives, in an earlier batch.
      const before = await waitFor(async () => ((await stored())?.version === 5 ? stored() : undefined), {
        description: 'the movements to be folded',
        timeoutMs: 60_000,
      });
      expect(before).toMatchObject({
        onHand: 30 - 4 - 2 - 1 + 10,
        journal: [
          [T - 1_000, -4],
          [T + 1_000, -2],
          [T + 2_000, -1],
          [T + 3_000, 10],
        ],
      });
      // The ERP's snapshot taken at T: it already saw the sale before T, not those after.
      await produceEvents(world, [
        {
          ...movement('reconciliation', 'COUNT', 50, T),
          eventId: `reconciliation:1:${sku}@S-2`,
          source: 'RECONCILIATION',
          sourceRef: 'erp-snapshot',
          clientId: null,
          clientEventId: null,
        },
        movement('after-4', 'SALE', 3, T + 4_000),
      ]);
      await waitDrained(redis, world);
      expect(await stored()).toMatchObject({
        onHand: 50 - 2 - 1 + 10 - 3,
        lastCountAt: T,
        version: 7,
        journal: [
          [T + 1_000, -2],
          [T + 2_000, -1],
          [T + 3_000, 10],
          [T + 4_000, -3],
        ],
      });
      const metrics = await (await fetch(`http://127.0.0.1:${aggregator.port}/metrics`)).text();
      expect(metrics).toMatch(/aggregator_counts_unplaced_total 0/);
      // The stock topic carries the absolute value and the journal (a restore brings it back).
      const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
      const stock = await collect(testKafka(), world.stock);
      const newest = await waitFor(
        async () => {
          for (const m of stock.messages) {
            if (m.message.key?.toString() !== `S-2|${sku}`) continue;
            const level = await codec.decode(m.message.value as Buffer, 'StockLevel');
            if (level.sku === sku && level.version === 7) return level;
          }
          return undefined;
        },
        { description: 'the stock record of the reconciled location', timeoutMs: 30_000 },
      );
      await stock.stop();
      expect(newest).toMatchObject({
        onHand: 54,
        lastCountAt: T,
        journal: [
          { occurredAt: T + 1_000, delta: -2 },
          { occurredAt: T + 2_000, delta: -1 },
          { occurredAt: T + 3_000, delta: 10 },
          { occurredAt: T + 4_000, delta: -3 },
        ],
        journalFrom: null,
      });
    } finally {
      await aggregator.ready();
      aggregator.child.kill('SIGTERM');
      expect(await aggregator.exited, aggregator.output().slice(-4000)).toBe(0);
    }
  });

  it('a reservation is answered without waiting for the publication linger, and publishes what is pending with it', async () => {
    // A linger longer than the test: only a step that decided a reservation publishes.
    const own = await createWorld(3);
    const lingering = { ...own, env: { ...own.env, AGG_PUBLISH_LINGER_MS: '600000' } };
    const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
    const t0 = Date.now() - 60_000;
    await produceEvents(own, [
      platformEvent('LOADGEN', `linger-count-${t0}`, {
        type: 'COUNT',
        sku: 'SKU-LINGER',
        locationId: 'W-1',
        quantity: 5,
        occurredAt: t0,
      }),
    ]);
    const aggregator = startAggregator(lingering);
    const [outcomes, availability] = await Promise.all([
      collect(testKafka(), own.outcomes),
      collect(testKafka(), own.availability),
    ]);
    try {
      await reachProgress(redis, own, 1, 'the count to be folded');
      // Folded, and held back by the linger: its outbox entry waits in Redis.
      const reader = readerOf(redis, own);
      const partition = reader.partitionOf('SKU-LINGER');
      expect(await reader.outboxLength(partition)).toBe(1);
      const producer = createProducer(testKafka());
      await producer.connect();
      const command: ReservationCommand = {
        type: 'RESERVE',
        reservationId: 'linger-1',
        sku: 'SKU-LINGER',
        locationId: null,
        quantity: 2,
        ttlMs: 900_000,
        issuedAt: Date.now(),
        orderId: null,
        requestId: 'linger-request-1',
      };
      await producer.send({
        topic: own.commands,
        messages: [
          {
            key: command.sku,
            value: await codec.encode(`${own.commands}-value`, 'ReservationCommand', command),
          },
        ],
      });
      await producer.disconnect();
      const [answer] = await outcomes.waitForCount(1);
      const outcome = await codec.decode(
        (answer?.message.value ?? Buffer.alloc(0)) as Buffer,
        'ReservationOutcome',
      );
      expect([
        outcome.requestId,
        outcome.status,
        outcome.locationId,
        outcome.quantity,
        outcome.available,
      ]).toEqual(['linger-request-1', 'CONFIRMED', 'W-1', 2, 5]); // available at the decision
      // The count's step, pending behind the linger, went out in the same publication.
      const [total] = await availability.waitForCount(1);
      const published = await codec.decode(
        (total?.message.value ?? Buffer.alloc(0)) as Buffer,
        'SkuAvailability',
      );
      expect([published.sku, published.onHand, published.reserved, published.available]).toEqual([
        'SKU-LINGER',
        5,
        2,
        3,
      ]);
      expect(availability.messages).toHaveLength(1);
      await waitFor(async () => (await reader.outboxLength(partition)) === 0, {
        description: 'both outbox entries to be acknowledged',
        timeoutMs: 30_000,
      });
    } finally {
      await Promise.all([outcomes.consumer.disconnect(), availability.consumer.disconnect()]);
      aggregator.child.kill('SIGTERM');
      expect(await aggregator.exited, aggregator.output().slice(-4000)).toBe(0);
    }
  });
});
