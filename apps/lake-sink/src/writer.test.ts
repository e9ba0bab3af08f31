import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { sampleEvent } from '@inventory/codec';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { columns, eventRow, rawRow } from './rows.ts';
import { FileLakeStore } from './store-file.ts';
import { encodeParquet } from './writer.ts';

const message = (offset: string, timestamp: number, extra: Partial<KafkaMessage> = {}) =>
  ({ offset, timestamp: String(timestamp), key: null, value: null, headers: {}, ...extra }) as KafkaMessage;

async function readBack(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  await connection.run("SET TimeZone = 'UTC'");
  const reader = await connection.runAndReadAll(sql.replace('$file', `read_parquet('${path}')`));
  return reader.getRowObjectsJson();
}

describe('Parquet in the file store', () => {
  it('writes every column of an event with its type and value, leaving no temporary file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lake-writer-'));
    const store = new FileLakeStore(root);
    const event = { ...sampleEvent, eventId: "store:c:e'1", quantity: -3, sourceRef: null };
    const appended = Date.parse('2026-11-22T09:15:02.345Z');
    const row = eventRow(event, 'inventory.events.v1', 2, message('1099511627776', appended));
    const size = await store.write('a/part.parquet', (path) => encodeParquet('events', [row], path));
    expect(size).toBeGreaterThan(0);
    expect(readdirSync(join(root, 'a'))).toEqual(['part.parquet']);
    expect(await store.list('a/')).toEqual([{ key: 'a/part.parquet', size }]);
    const file = join(root, 'a', 'part.parquet');
    expect(
      await readBack(file, 'SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM $file)'),
    ).toEqual(
      Object.entries(columns.events).map(([name, type]) => ({
        column_name: name,
        column_type: type === 'TIMESTAMPTZ' ? 'TIMESTAMP WITH TIME ZONE' : type,
      })),
    );
    expect(await readBack(file, 'SELECT * FROM $file')).toEqual([
      {
        event_id: "store:c:e'1",
        type: 'SALE',
        sku: 'SKU-1001',
        location_id: 'STORE-001',
        quantity: '-3',
        occurred_at: '2026-11-22 09:15:00+00',
        recorded_at: '2026-11-22 09:15:01+00',
        source: 'STORE',
        source_ref: null,
        client_id: 'store-001-tills',
        client_event_id: 'till-0042-000123',
        kafka_topic: 'inventory.events.v1',
        kafka_partition: 2,
        kafka_offset: '1099511627776',
        ingested_at: '2026-11-22 09:15:02.345+00',
      },
    ]);
  });

  it('writes raw payloads with their headers, and nulls for a missing key or value', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lake-writer-'));
    const store = new FileLakeStore(root);
    const at = Date.parse('2026-11-22T10:00:00.001Z');
    const rows = [
      rawRow(
        'inventory.mq.raw.v1',
        0,
        message('7', at, {
          key: Buffer.from('k'),
          value: Buffer.from('{"a":1}'),
          headers: { h: Buffer.from('v'), m: [Buffer.from('1'), Buffer.from('2')] },
        }),
      ),
      rawRow('inventory.mq.raw.v1', 0, message('8', at + 1)),
    ];
    await store.write('raw.parquet', (path) => encodeParquet('raw', rows, path));
    // A raw row's timestamp is its Kafka timestamp and its ingest time alike.
    const stored = (
      offset: string,
      time: string,
      rest: { key: string | null; value: string | null; headers: string },
    ) => ({
      ...rest,
      kafka_timestamp: time,
      kafka_topic: 'inventory.mq.raw.v1',
      kafka_partition: 0,
      kafka_offset: offset,
      ingested_at: time,
    });
    expect(await readBack(join(root, 'raw.parquet'), 'SELECT * FROM $file ORDER BY kafka_offset')).toEqual([
      stored('7', '2026-11-22 10:00:00.001+00', {
        key: 'k',
        value: '{"a":1}',
        headers: '{"h":"v","m":"1,2"}',
      }),
      stored('8', '2026-11-22 10:00:00.002+00', { key: null, value: null, headers: '{}' }),
    ]);
  });

  it('writes rows beyond one appended chunk (2 048) in their order, each once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lake-writer-'));
    const store = new FileLakeStore(root);
    const n = 5_000;
    const start = Date.parse('2026-11-22T09:00:00Z');
    const rows = Array.from({ length: n }, (_, i) =>
      eventRow(
        { ...sampleEvent, eventId: `e-${i}`, quantity: i - 2_500, occurredAt: start + i },
        't',
        1,
        message(String(i), start + i),
      ),
    );
    await store.write('many.parquet', (path) => encodeParquet('events', rows, path));
    expect(
      await readBack(
        join(root, 'many.parquet'),
        `SELECT count(*) AS rows, count(DISTINCT event_id) AS ids, sum(quantity) AS quantity,
           sum(kafka_offset) AS offsets, min(epoch_ms(occurred_at)) AS first, max(epoch_ms(occurred_at)) AS last,
           bool_and(event_id = 'e-' || kafka_offset) AS aligned, bool_and(epoch_ms(occurred_at) = epoch_ms(ingested_at)) AS timed
         FROM $file`,
      ),
    ).toEqual([
      {
        rows: '5000',
        ids: '5000',
        quantity: String((n * (n - 1)) / 2 - 2_500 * n),
        offsets: String((n * (n - 1)) / 2),
        first: String(start),
        last: String(start + n - 1),
        aligned: true,
        timed: true,
      },
    ]);
  });

  it('a write that fails leaves nothing; temporary files of a partition are found and removed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lake-writer-'));
    const store = new FileLakeStore(root);
    await expect(
      store.write('topic=t/x/t-p0-1.parquet', async (path) => {
        writeFileSync(path, 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await store.list('topic=t/')).toEqual([]);
    expect(readdirSync(join(root, 'topic=t', 'x'))).toEqual([]);
    // What a killed writer leaves: temporary files under its partition's names.
    writeFileSync(join(root, 'topic=t', 'x', 't-p0-1.parquet.123-ab.tmp'), 'half');
    writeFileSync(join(root, 'topic=t', 'x', 't-p1-1.parquet.123-ab.tmp'), 'half');
    expect(await store.discardUnfinished('topic=t/', 't-p0-')).toEqual([
      'topic=t/x/t-p0-1.parquet.123-ab.tmp',
    ]);
    expect(readdirSync(join(root, 'topic=t', 'x'))).toEqual(['t-p1-1.parquet.123-ab.tmp']);
  });
});
