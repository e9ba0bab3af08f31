import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { queryLake } from './query.ts';

describe('querying a lake folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'lake-query-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("reads files of the data centres' layout and older ones without dc=, by column name", async () => {
    const write = async (folder: string, select: string) => {
      const dir = join(root, ...folder.split('/'));
      mkdirSync(dir, { recursive: true });
      const connection = await (await DuckDBInstance.create(':memory:')).connect();
      await connection.run(`COPY (${select}) TO '${join(dir, 'part.parquet')}' (FORMAT parquet)`);
      connection.closeSync();
    };
    await write(
      'topic=inventory.events.v1/date=2026-12-01/hour=01',
      "SELECT 'e-1' AS event_id, 1 AS quantity",
    );
    await write(
      'topic=inventory.events.v1/dc=dc1/date=2026-12-02/hour=02',
      "SELECT 'e-2' AS event_id, 2 AS quantity",
    );
    await write(
      'topic=inventory.events.v1/dc=dc2/date=2026-12-02/hour=03',
      "SELECT 'e-3' AS event_id, 3 AS quantity",
    );
    // A topic with the new layout only.
    await write('topic=inventory.raw.mq.v1/dc=dc3/date=2026-12-02/hour=04', "SELECT 'k' AS key");
    expect(
      await queryLake(root, 'SELECT event_id, quantity, dc, date, hour FROM events ORDER BY event_id'),
    ).toEqual([
      { event_id: 'e-1', quantity: 1, dc: null, date: '2026-12-01', hour: '01' },
      { event_id: 'e-2', quantity: 2, dc: 'dc1', date: '2026-12-02', hour: '02' },
      { event_id: 'e-3', quantity: 3, dc: 'dc2', date: '2026-12-02', hour: '03' },
    ]);
    expect(await queryLake(root, 'SELECT key, dc FROM raw_mq')).toEqual([{ key: 'k', dc: 'dc3' }]);
  });
});
