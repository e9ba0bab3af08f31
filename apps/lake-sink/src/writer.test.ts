import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { writeParquet } from './writer.ts';

describe('writeParquet', () => {
  it('writes typed columns DuckDB reads back, leaving no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lake-writer-'));
    const path = join(dir, 'a', 'part.parquet');
    const size = await writeParquet(
      'events',
      [
        {
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
        },
      ],
      path,
    );
    expect(size).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'a'))).toEqual(['part.parquet']);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    await connection.run("SET TimeZone = 'UTC'");
    const reader = await connection.runAndReadAll(
      `SELECT event_id, quantity, kafka_offset, source_ref, epoch_ms(occurred_at) AS occurred FROM read_parquet('${path}')`,
    );
    expect(reader.getRowObjectsJson()).toEqual([
      { event_id: "e'1", quantity: '-3', kafka_offset: '41', source_ref: null, occurred: '1795338900000' },
    ]);
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });
});
