import { createHash, randomBytes } from 'node:crypto';
import type { InventoryEvent } from '@inventory/codec';
import { delay, waitFor } from '@inventory/core';
import { platformEvent } from '@inventory/domain';
import { type AppProcess, processAlive, stackPartPid, stackUp, stopStackPart } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import * as support from './support.ts';

const t0 = Date.parse('2026-11-23T08:00:00Z');

const event = (i: number, spreadMs: number): InventoryEvent =>
  platformEvent('LOADGEN', `lake-s3-${i}`, {
    type: i % 4 === 0 ? 'RECEIPT' : 'SALE',
    sku: `SKU-${i % 211}`,
    locationId: `S-${i % 7}`,
    quantity: 1 + (i % 9),
    occurredAt: t0 + i * spreadMs,
    recordedAt: t0 + i * spreadMs + 5,
    sourceRef: i % 3 === 0 ? null : `ref ${i}`,
  });

describe('lake-sink on S3: faults of the writer and of the object store', () => {
  const running: AppProcess[] = [];
  afterAll(() => {
    for (const sink of running) sink.child.kill('SIGKILL');
    if (!processAlive(stackPartPid('s3'))) stackUp();
  });

  it('killed with -9 while a multipart upload is in flight, three times: every row exactly once, no upload left open', async () => {
    // Raw payloads of 1.5 kB that hardly compress: a chunk of 6000 is a file of about 7 MB,
    // which goes up in two parts of 5 MiB.
    const world = await support.createLakeWorld(
      { LAKE_ROLL_RECORDS: '6000', LAKE_ROLL_MS: '600000', LAKE_S3_PART_SIZE_KB: '5120' },
      { events: 1, raw: 1 },
    );
    const records = Array.from({ length: 24_000 }, (_, i) => ({
      key: `T-${String(i).padStart(6, '0')}`,
      value: `MVREC ${i} ${randomBytes(1_100).toString('base64')}`,
    }));
    // In requests of 500 (about 0.75 MB, under the broker's limit per request).
    for (let i = 0; i < records.length; i += 500)
      await support.produce(
        world.raw,
        records.slice(i, i + 500).map((r) => ({ key: r.key, value: Buffer.from(r.value) })),
      );
    let sink = support.startSink(world);
    running.push(sink);
    for (let kill = 1; kill <= 3; kill++) {
      await waitFor(async () => (await support.unfinishedUploads(world)).length > 0, {
        description: () => `an upload in flight (kill ${kill}; output: ${sink.output().slice(-800)})`,
        timeoutMs: 180_000,
        intervalMs: 20,
      });
      sink.child.kill('SIGKILL');
      await sink.exited;
      sink = support.startSink(world);
      running.push(sink);
    }
    await waitFor(() => support.committedToEnd(world), {
      description: () =>
        `every record committed (in the lake); the sink's output: ${sink.output().slice(-1500)}`,
      timeoutMs: 300_000,
      intervalMs: 500,
    });
    const [lake] = await support.queryWorld(
      world,
      `SELECT count(*) AS rows, count(DISTINCT key) AS keys, count(DISTINCT kafka_offset) AS positions,
              md5(string_agg(key || ':' || md5(value), ',' ORDER BY key)) AS digest FROM lake_raw`,
    );
    expect(lake).toEqual({
      rows: '24000',
      keys: '24000',
      positions: '24000',
      digest: createHash('md5')
        .update(records.map((r) => `${r.key}:${createHash('md5').update(r.value).digest('hex')}`).join(','))
        .digest('hex'),
    });
    // Four whole chunks; what the killed sinks left open was aborted by their successors.
    expect(
      (await support.parquetFiles(world)).map((key) => /-p0-(\d+-\d+)\.parquet$/.exec(key)?.[1]).sort(),
    ).toEqual([
      '00000000000000000000-00000000000000005999',
      '00000000000000006000-00000000000000011999',
      '00000000000000012000-00000000000000017999',
      '00000000000000018000-00000000000000023999',
    ]);
    expect(await support.unfinishedUploads(world)).toEqual([]);
    sink.child.kill('SIGTERM');
    expect(await sink.exited).toBe(0);
  }, 600_000);

  it('S3Proxy stopped for 30 s mid-stream and started again: the sink holds and retries, every row exactly once', async () => {
    const world = await support.createLakeWorld(
      { LAKE_ROLL_RECORDS: '5000', LAKE_ROLL_MS: '1000', LAKE_S3_PART_SIZE_KB: '64' },
      { events: 3, raw: 1 },
    );
    // Spread over three hours of event time: several files per chunk.
    const events = Array.from({ length: 60_000 }, (_, i) => event(i, 180));
    await support.produceEvents(world.events, events.slice(0, 30_000));
    const sink = support.startSink(world);
    running.push(sink);
    try {
      await waitFor(async () => (await support.parquetFiles(world)).length >= 4, {
        description: 'the sink to be mid-stream',
        timeoutMs: 240_000,
        intervalMs: 50,
      });
      const stopped = Date.now();
      await stopStackPart('s3');
      // Records keep coming while the store is away.
      await support.produceEvents(world.events, events.slice(30_000));
      await waitFor(async () => (await sink.metric('lake_write_failures_total')) >= 2, {
        description: 'the sink to fail writes and retry them',
        timeoutMs: 60_000,
      });
      // The outage lasts 30 s, whatever the sink does meanwhile.
      await delay(Math.max(0, 30_000 - (Date.now() - stopped)));
      const restarted = stackUp();
      expect(restarted.status, restarted.stdout + restarted.stderr).toBe(0);
      await waitFor(() => support.committedToEnd(world), {
        description: () =>
          `every record committed after the store came back; the sink's output: ${sink.output().slice(-1500)}`,
        timeoutMs: 300_000,
        intervalMs: 500,
      });
      const { lake, input } = await support.lakeAgainstInput(world, events);
      expect(lake).toEqual(input);
      expect(await support.unfinishedUploads(world)).toEqual([]);
      // The sink never stopped: it held the partitions while the store was away.
      expect(sink.child.exitCode).toBeNull();
    } finally {
      if (!processAlive(stackPartPid('s3'))) stackUp();
      sink.child.kill('SIGTERM');
      await sink.exited;
    }
  }, 600_000);
});
