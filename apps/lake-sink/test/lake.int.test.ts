import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ConfluentRegistryClient,
  createCodec,
  encodeFrame,
  type InventoryEvent,
  loadSchema,
} from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { platformEvent } from '@inventory/domain';
import { readToEnd } from '@inventory/kafka';
import {
  type AppProcess,
  expectOrderlyStop,
  freezeProcess,
  replaceTopicConfig,
  stackEndpoints,
  testKafka,
  uniqueName,
  valueNearRecordLimit,
} from '@inventory/testkit';
import avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import {
  committedToEnd,
  createLakeWorld,
  type LakeTarget,
  type LakeWorld,
  parquetFiles,
  produce,
  produceEvents,
  queryWorld,
  startSink,
  unfinishedUploads,
  writing,
} from './support.ts';

const endpoints = stackEndpoints();
const codec = createCodec({ registryUrl: endpoints.SCHEMA_REGISTRY_URL });

const t0 = Date.parse('2026-11-21T22:00:00Z');
const event = (i: number): InventoryEvent =>
  platformEvent('LOADGEN', `lake-${i}`, {
    type: i % 3 === 0 ? 'RECEIPT' : 'SALE',
    sku: `SKU-${i % 97}`,
    locationId: `S-${i % 5}`,
    quantity: 1 + (i % 7),
    // Spread over four hours across midnight: several date and hour partitions.
    occurredAt: t0 + i * 500,
    recordedAt: t0 + i * 500 + 10,
    sourceRef: i % 2 === 0 ? null : `ref ${i}`,
  });

// The lake is on S3 by default (the target deployments use); the kill -9 test runs on both
// targets, and the test of a folder that cannot be made on the folder target it is about.
describe('lake-sink: Kafka to Parquet, exactly once', () => {
  const running: AppProcess[] = [];
  const start = (world: LakeWorld) => {
    const sink = startSink(world);
    running.push(sink);
    return sink;
  };
  afterAll(() => {
    for (const sink of running) sink.child.kill('SIGKILL');
  });

  it.each<LakeTarget>(['s3', 'file'])(
    'N events, the sink killed with -9 at random points and restarted (%s): every record once, with its values (DuckDB)',
    async (target) => {
      // The sink of the second data centre: every file under its `dc=dc2`.
      const world = await createLakeWorld({ LAKE_DATA_CENTRE: 'dc2' }, undefined, target);
      const total = 30_000;
      const events = Array.from({ length: total }, (_, i) => event(i));
      await produceEvents(world.events, events);
      await produce(
        world.raw,
        Array.from({ length: 3_000 }, (_, i) => ({
          key: `T-${i}`,
          value: Buffer.from(`MVREC raw record ${i}`),
        })),
      );

      let sink = start(world);
      for (let kill = 1; kill <= 3; kill++) {
        const files = (await parquetFiles(world)).length + 1 + Math.floor(Math.random() * 4);
        let have = 0;
        await waitFor(
          async () => {
            have = (await parquetFiles(world)).length;
            return have >= files;
          },
          {
            description: () => `${files} files in the lake (have ${have})`,
            timeoutMs: 120_000,
            intervalMs: target === 's3' ? 50 : 20,
          },
        );
        sink.child.kill('SIGKILL');
        await sink.exited;
        sink = start(world);
      }
      await waitFor(() => committedToEnd(world), {
        description: 'every record committed (in the lake)',
        timeoutMs: 240_000,
        intervalMs: 500,
      });
      const [summary] = await queryWorld(
        world,
        `SELECT count(*) AS n, count(DISTINCT event_id) AS ids, count(DISTINCT (kafka_partition, kafka_offset)) AS positions,
              sum(quantity) AS quantity, count(DISTINCT date) AS dates, count(DISTINCT (date, hour)) AS hours,
              string_agg(DISTINCT dc, ',') AS dcs
       FROM lake_events`,
      );
      expect(summary).toEqual({
        n: String(total),
        ids: String(total),
        positions: String(total),
        quantity: String(events.reduce((s, e) => s + e.quantity, 0)),
        dates: '2',
        hours: '5',
        dcs: 'dc2',
      });
      expect(
        (await parquetFiles(world)).filter(
          (f) =>
            !f.startsWith(`topic=${world.events}/dc=dc2/date=`) &&
            !f.startsWith(`topic=${world.raw}/dc=dc2/date=`),
        ),
      ).toEqual([]);
      // Values field by field for a sample, against what was produced.
      const sample = await queryWorld(
        world,
        `SELECT event_id, type, sku, location_id, quantity, epoch_ms(occurred_at) AS occurred_at, source_ref, date, hour
       FROM lake_events WHERE event_id IN ('loadgen:lake-0', 'loadgen:lake-7', 'loadgen:lake-29999') ORDER BY event_id`,
      );
      expect(sample).toEqual(
        [0, 29999, 7].map((i) => {
          const e = event(i);
          const at = new Date(e.occurredAt).toISOString();
          return {
            event_id: e.eventId,
            type: e.type,
            sku: e.sku,
            location_id: e.locationId,
            quantity: String(e.quantity),
            occurred_at: String(e.occurredAt),
            source_ref: e.sourceRef,
            date: at.slice(0, 10),
            hour: at.slice(11, 13),
          };
        }),
      );
      const [raw] = await queryWorld(
        world,
        'SELECT count(DISTINCT key) AS keys, count(*) AS n FROM lake_raw',
      );
      expect(raw).toEqual({ keys: '3000', n: '3000' });
      // What the killed writers left unfinished was discarded by their successors.
      if (target === 's3') expect(await unfinishedUploads(world)).toEqual([]);
    },
    420_000,
  );

  it('SIGTERM while files are written: exit 0 within the deadline, no client warnings; the successor completes, every record once', async () => {
    const world = await createLakeWorld({ LAKE_LOG_LEVEL: 'info', LAKE_SHUTDOWN_TIMEOUT_MS: '10000' });
    const total = 20_000;
    const events = Array.from({ length: total }, (_, i) => event(i));
    await produceEvents(world.events, events);
    const first = start(world);
    await waitFor(async () => (await parquetFiles(world)).length >= 3, {
      description: '3 files in the lake',
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    await expectOrderlyStop(first, 10_000);
    start(world);
    const counts = async () => {
      const [row] = await queryWorld(
        world,
        'SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM lake_events',
      ).catch(() => [{ n: '0', ids: '0' }]);
      return row;
    };
    await waitFor(() => committedToEnd(world), {
      description: 'every record committed (in the lake)',
      timeoutMs: 180_000,
      intervalMs: 500,
    });
    expect(await counts()).toEqual({ n: String(total), ids: String(total) });
  }, 300_000);

  it('an undecodable record, or one whose time the lake cannot hold, is dead-lettered with its reason, not written; a newer compatible schema lands in the same dataset', async () => {
    const world = await createLakeWorld();
    // A newer InventoryEvent: one more field with a default, registered as the registry allows.
    const current = JSON.parse(loadSchema('InventoryEvent').text) as { fields: unknown[] };
    const newer = {
      ...current,
      fields: [...current.fields, { name: 'channel', type: ['null', 'string'], default: null }],
    };
    const registry = new ConfluentRegistryClient(endpoints.SCHEMA_REGISTRY_URL as string);
    await codec.encode(`${world.events}-value`, 'InventoryEvent', event(1));
    const newerId = await registry.register(`${world.events}-value`, JSON.stringify(newer));
    const newerValue = encodeFrame(
      newerId,
      avro.Type.forSchema(newer as avro.Schema).toBuffer({
        ...event(2),
        eventId: 'loadgen:lake-newer',
        channel: 'app',
      }),
    );
    await produce(world.events, [
      { key: 'SKU-1', value: await codec.encode(`${world.events}-value`, 'InventoryEvent', event(1)) },
      { key: 'SKU-1', value: Buffer.from('not avro at all') },
      // Decodes, but its time is in a year past 9999, which no date/hour bucket names.
      {
        key: 'SKU-1',
        value: await codec.encode(`${world.events}-value`, 'InventoryEvent', {
          ...event(4),
          occurredAt: 9e15,
        }),
      },
      { key: 'SKU-1', value: newerValue },
      { key: 'SKU-1', value: await codec.encode(`${world.events}-value`, 'InventoryEvent', event(3)) },
    ]);
    // Near the topic's limit: its dead letter, with the headers added, would be over it.
    const near = valueNearRecordLimit();
    await produce(world.events, [{ key: 'SKU-1', value: near }]);
    const sink = start(world);
    await waitFor(() => committedToEnd(world), {
      description: 'every record committed (in the lake)',
      timeoutMs: 90_000,
      intervalMs: 300,
    });
    const rows = await queryWorld(world, 'SELECT event_id FROM lake_events ORDER BY kafka_offset');
    expect(rows).toEqual([
      { event_id: 'loadgen:lake-1' },
      { event_id: 'loadgen:lake-newer' },
      { event_id: 'loadgen:lake-3' },
    ]);
    const dead: string[] = [];
    await readToEnd(
      testKafka(),
      world.dlq,
      (m) =>
        void dead.push(
          [
            m.value?.[0] === 0
              ? 'an Avro record'
              : (m.value?.toString() ??
                `${m.headers?.['dlq-value-bytes']} bytes ${m.headers?.['dlq-value-sha256']}`),
            m.headers?.['dlq-reason'],
            m.headers?.['dlq-message'],
          ].join('|'),
        ),
      { groupPrefix: uniqueName('dlq') },
    );
    expect(dead).toEqual([
      'not avro at all|UNDECODABLE|unknown magic byte 110; expected 0',
      'an Avro record|INVALID_TIME|occurredAt 9000000000000000 is not a time the lake holds (epoch milliseconds of the years 0000 to 9999)',
      `1048480 bytes ${createHash('sha256').update(near).digest('hex')}|UNDECODABLE|unknown magic byte 120; expected 0`,
    ]);
    expect(await sink.metric('lake_rows_written_total')).toBe(3);
    expect(await sink.metric('lake_dead_letters_total')).toBe(3);
    const objects = await world.store.list('');
    expect(await sink.metric('lake_files_written_total')).toBe(objects.length);
    expect(await sink.metric('lake_bytes_written_total')).toBe(objects.reduce((sum, o) => sum + o.size, 0));
    expect(await sink.metric('lake_commit_lag')).toBe(0);
    // Stops on SIGTERM.
    sink.child.kill('SIGTERM');
    expect(await sink.exited).toBe(0);
  });

  it('a dead letter the dead-letter topic refuses: the sink stops with exit 1; once the topic takes it, the next one sends it, rows once', async () => {
    const world = await createLakeWorld();
    // Refused for good (MESSAGE_TOO_LARGE, which no retry helps): the consumer crashes.
    await replaceTopicConfig(world.dlq, { 'max.message.bytes': '64' });
    await produce(world.events, [
      { key: 'SKU-1', value: await codec.encode(`${world.events}-value`, 'InventoryEvent', event(1)) },
      { key: 'SKU-1', value: Buffer.from('refused at first') },
      { key: 'SKU-1', value: await codec.encode(`${world.events}-value`, 'InventoryEvent', event(3)) },
    ]);
    const refused = start(world);
    // Not a process that lives on without its consumer: the orchestrator starts it again.
    expect(await refused.exited, refused.output().slice(-3000)).toBe(1);
    expect(refused.output()).toContain('consumer crashed');
    await replaceTopicConfig(world.dlq, { 'max.message.bytes': '1048588' });
    const sink = start(world);
    await waitFor(() => committedToEnd(world), {
      description: () =>
        `every record committed (in the lake); the sink wrote: ${sink.output().slice(-3000)}`,
      timeoutMs: 90_000,
      intervalMs: 300,
    });
    const rows = await queryWorld(world, 'SELECT event_id FROM lake_events ORDER BY kafka_offset');
    expect(rows).toEqual([{ event_id: 'loadgen:lake-1' }, { event_id: 'loadgen:lake-3' }]);
    const dead: string[] = [];
    await readToEnd(
      testKafka(),
      world.dlq,
      (m) => void dead.push(`${m.value?.toString()}|${m.headers?.['dlq-reason']}`),
      { groupPrefix: uniqueName('dlq') },
    );
    expect(dead).toEqual(['refused at first|UNDECODABLE']);
    sink.child.kill('SIGTERM');
    expect(await sink.exited).toBe(0);
  });

  const summary = async (world: LakeWorld) =>
    (
      await queryWorld(
        world,
        `SELECT count(*) AS n, count(DISTINCT (kafka_partition, kafka_offset)) AS positions FROM lake_events`,
      ).catch(() => [{ n: '0', positions: '0' }])
    )[0] as { n: string; positions: string };

  it('two sinks of one group, one frozen (SIGSTOP) in the middle of writing a file: every record once', async () => {
    // One partition and large chunks: the frozen sink holds a chunk half written when its
    // successor writes the same chunk.
    const world = await createLakeWorld({ LAKE_ROLL_RECORDS: '15000', LAKE_ROLL_MS: '600000' });
    const events = Array.from({ length: 45_000 }, (_, i) => ({ ...event(i), sku: 'SKU-ONE' }));
    await produceEvents(world.events, events);
    const frozen = start(world);
    await waitFor(() => writing(world), {
      description: 'the first sink to be writing a chunk',
      timeoutMs: 60_000,
      intervalMs: 2,
    });
    await freezeProcess(frozen.child.pid as number);
    const successor = start(world);
    try {
      // The successor gets the partition once the frozen member's session expired, and writes
      // every chunk (the last one when its window is over: the window is long, so it is full).
      await waitFor(() => committedToEnd(world), {
        description: 'the successor to write and commit all 45000 records',
        timeoutMs: 180_000,
        intervalMs: 500,
      });
      expect(await summary(world)).toEqual({ n: '45000', positions: '45000' });
      frozen.child.kill('SIGCONT');
      // The woken sink finishes its write (the same file, the same rows), or finds its
      // upload aborted by its successor and fails it; either way it then rejoins.
      const settled = async () =>
        (await frozen.metric('lake_files_written_total').catch(() => 0)) +
          (await frozen.metric('lake_write_failures_total').catch(() => 0)) >=
        1;
      await waitFor(async () => !(await writing(world)) && (await settled()), {
        description: () => `the woken sink's write to end (output: ${frozen.output().slice(-1500)})`,
        timeoutMs: 60_000,
      });
      expect(await summary(world)).toEqual({ n: '45000', positions: '45000' });
      // The files are the three chunks, cut alike by both sinks (one file per chunk and hour).
      const ranges = new Set(
        (await parquetFiles(world)).map((f) => /-p\d+-(\d+-\d+)\.parquet$/.exec(f)?.[1] ?? f),
      );
      expect([...ranges].sort()).toEqual([
        '00000000000000000000-00000000000000014999',
        '00000000000000015000-00000000000000029999',
        '00000000000000030000-00000000000000044999',
      ]);
    } finally {
      frozen.child.kill('SIGKILL');
      successor.child.kill('SIGTERM');
      await successor.exited;
    }
  }, 300_000);

  it('a write failing half way (a folder that cannot be made) is retried; the records land once', async () => {
    // One chunk of exactly the 2000 records (full, whatever the timing).
    const world = await createLakeWorld(
      { LAKE_ROLL_RECORDS: '2000', LAKE_ROLL_MS: '600000' },
      undefined,
      'file',
    );
    // Two hours of event time: the chunk is written as three files, one per hour folder.
    // One sku: one partition.
    const events = Array.from({ length: 2_000 }, (_, i) => ({
      ...event(i),
      sku: 'SKU-ONE',
      occurredAt: Date.parse('2026-11-30T10:30:00Z') + i * 3_600,
    }));
    const blocked = join(world.staging, `topic=${world.events}`, 'dc=dc1', 'date=2026-11-30', 'hour=11');
    mkdirSync(dirname(blocked), { recursive: true });
    // A file where the hour's folder must go: making the folder fails, as a full disk would.
    writeFileSync(blocked, 'in the way');
    await produceEvents(world.events, events);
    const sink = start(world);
    try {
      await waitFor(async () => (await sink.metric('lake_write_failures_total').catch(() => 0)) >= 2, {
        description: () => `the write to fail and be retried (output: ${sink.output().slice(-1500)})`,
        timeoutMs: 60_000,
      });
      // The hour before is written already, the one after not; nothing is committed.
      expect((await parquetFiles(world)).map((f) => f.split('/').slice(-2, -1)[0])).toEqual(['hour=10']);
      rmSync(blocked);
      await waitFor(async () => (await summary(world)).n === '2000', {
        description: 'every record in the lake once the folder can be made',
        timeoutMs: 60_000,
        intervalMs: 300,
      });
      expect(await summary(world)).toEqual({ n: '2000', positions: '2000' });
      expect((await parquetFiles(world)).map((f) => f.split('/').slice(-2, -1)[0]).sort()).toEqual([
        'hour=10',
        'hour=11',
        'hour=12',
      ]);
    } finally {
      sink.child.kill('SIGTERM');
      await sink.exited;
    }
  });
});
