import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** A view name for each topic folder: inventory.raw.mq.v1 -> raw_mq, inventory.events.v1 -> events. */
export function viewName(topic: string): string {
  return topic
    .replace(/^inventory\./, '')
    .replace(/\.v\d+$/, '')
    .replaceAll(/[^a-z0-9]+/g, '_');
}

/**
 * Where DuckDB reads the lake: a local folder (its topics found there), or a root DuckDB
 * reads directly (s3://bucket/prefix through httpfs) with the topics given and the
 * statements that set the connection up (LOAD httpfs, the S3 secret).
 */
export type LakeSource = string | { root: string; topics: string[]; setup: string[] };

/**
 * Runs SQL over the lake with DuckDB: every topic folder is a view (hive partitions `dc`,
 * `date` and `hour` as columns; files of different schema versions read together by column
 * name). Files written before the layout named the data centre (`topic=<t>/date=...`, no
 * `dc=`) are read beside the others with `dc` null: DuckDB refuses one glob over both depths.
 */
export async function queryLake(
  source: LakeSource,
  sql: string,
  /** More view names, each for a topic folder (view name -> topic). */
  aliases: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    let root: string;
    let topics: string[];
    if (typeof source === 'string') {
      root = source;
      topics = existsSync(root)
        ? readdirSync(root)
            .filter((d) => d.startsWith('topic='))
            .map((d) => d.slice('topic='.length))
        : [];
    } else {
      ({ root, topics } = source);
      for (const statement of source.setup) await connection.run(statement);
    }
    const views: [string, string][] = [
      ...topics.map((topic): [string, string] => [viewName(topic), topic]),
      ...Object.entries(aliases).filter(([, topic]) => topics.includes(topic)),
    ];
    const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;
    for (const [view, topic] of views) {
      const globOf = (layout: string) =>
        join(root, `topic=${topic}`, layout, '**', '*.parquet').replace(/^s3:\/([^/])/, 's3://$1');
      const reads: string[] = [];
      for (const [layout, extra] of [
        ['dc=*', ''],
        ['date=*', ', NULL::VARCHAR AS dc'],
      ] as const) {
        const glob = globOf(layout);
        const found = await connection.runAndReadAll(`SELECT count(*) AS n FROM glob(${quoted(glob)})`);
        if (Number((found.getRowObjectsJson()[0] as { n: unknown }).n) > 0)
          reads.push(
            `SELECT *${extra} FROM read_parquet(${quoted(glob)}, hive_partitioning = true, union_by_name = true)`,
          );
      }
      if (reads.length > 0)
        await connection.run(`CREATE OR REPLACE VIEW ${view} AS ${reads.join(' UNION ALL BY NAME ')}`);
    }
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Whether DuckDB's httpfs extension is installed here (it is never fetched: that needs the internet). */
export async function httpfsLoads(): Promise<boolean> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run('SET autoinstall_known_extensions = false');
    await connection.run('LOAD httpfs');
    return true;
  } catch {
    return false;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
