import { rm, writeFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { columns, type DatasetKind, type LakeRow } from './rows.ts';

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

let shared: Promise<DuckDBInstance> | undefined;

/**
 * One in-memory DuckDB for the process, a connection per file: creating an instance per file
 * and closing it (which waits on the event loop for its threads) cost the sink's main thread
 * a tenth of its time. Nothing is kept in it between files.
 */
function duckdb(): Promise<DuckDBInstance> {
  shared ??= DuckDBInstance.create(':memory:').catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

/**
 * Encodes rows as one Parquet file (zstd) at `path`, the local file a LakeStore makes into
 * the object. DuckDB does the Parquet encoding; the rows reach it as newline-delimited JSON
 * with the column types fixed here.
 */
export async function encodeParquet(kind: DatasetKind, rows: LakeRow[], path: string): Promise<void> {
  const staging = `${path}.ndjson.tmp`;
  await writeFile(staging, `${rows.map((r) => JSON.stringify(r.values)).join('\n')}\n`);
  const types = Object.entries(columns[kind])
    .map(([name, type]) => `${name}: ${quote(type)}`)
    .join(', ');
  const connection = await (await duckdb()).connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(
      `COPY (SELECT ${Object.keys(columns[kind]).join(', ')} FROM read_json(${quote(staging)}, format = 'newline_delimited', columns = {${types}}))
       TO ${quote(path)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    connection.closeSync();
    await rm(staging, { force: true });
  }
}
