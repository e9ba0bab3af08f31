import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { FileLakeStore } from './store-file.ts';
import { encodeParquet } from './writer.ts';

const row = {
  at: 0,
  values: {
    event_id: "e'1",
    type: 'SALE',
    sku: 'SKU-1',
    location_id: 'S-1',
    quantity: -3,
    occurred_at: '2026-11-22T09:15:00.000Z',
    recorded_at: '2026-11-22T09:15:01.000Z',
    source: 'STORE',
    source_ref: null,
    kafka_topic: 't',
    kafka_partition: 2,
    kafka_offset: 41,
    ingested_at: '2026-11-22T09:15:02.000Z',
  },
};

describe('Parquet in the file store', () => {
  it('writes typed columns DuckDB reads back, leaving no temporary file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lake-writer-'));
    const store = new FileLakeStore(root);
    const size = await store.write('a/part.parquet', (path) => encodeParquet('events', [row], path));
    expect(size).toBeGreaterThan(0);
    expect(readdirSync(join(root, 'a'))).toEqual(['part.parquet']);
    expect(await store.list('a/')).toEqual([{ key: 'a/part.parquet', size }]);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    await connection.run("SET TimeZone = 'UTC'");
    const reader = await connection.runAndReadAll(
      `SELECT event_id, quantity, kafka_offset, source_ref, epoch_ms(occurred_at) AS occurred FROM read_parquet('${join(root, 'a', 'part.parquet')}')`,
    );
    expect(reader.getRowObjectsJson()).toEqual([
      { event_id: "e'1", quantity: '-3', kafka_offset: '41', source_ref: null, occurred: '1795338900000' },
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
