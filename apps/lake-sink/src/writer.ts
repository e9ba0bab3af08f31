import {
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  INTEGER,
  VARCHAR,
} from '@duckdb/node-api';
import { columns, type DatasetKind, type LakeColumnType, type LakeRow } from './rows.ts';

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
 * How a column is staged and what turns it into the file's type. Numbers are staged as the
 * JS numbers they are (DOUBLE: exact below 2^53, no BigInt per value) and cast; times arrive
 * as epoch milliseconds and become TIMESTAMPTZ in the copy, so no row carries a date's text.
 */
const staging: Record<LakeColumnType, { type: DuckDBType; select: (name: string) => string }> = {
  VARCHAR: { type: VARCHAR, select: (name) => name },
  INTEGER: { type: INTEGER, select: (name) => name },
  BIGINT: { type: DOUBLE, select: (name) => `CAST(${name} AS BIGINT) AS ${name}` },
  TIMESTAMPTZ: {
    type: DOUBLE,
    select: (name) => `CAST(epoch_ms(CAST(${name} AS BIGINT)) AS TIMESTAMPTZ) AS ${name}`,
  },
};

/** Rows per appended chunk: DuckDB's vector size, the most a data chunk holds. */
const chunkRows = 2048;

/**
 * The staging table of a connection: a temporary table is the connection's own, and closing
 * the connection frees it.
 */
const table = 'lake_rows';

/**
 * Encodes rows as one Parquet file (zstd) at `path`, the local file a LakeStore makes into
 * the object. The rows go into a temporary table column by column (DuckDB's appender, a data
 * chunk at a time) and DuckDB copies that table into Parquet with the column types of
 * `columns`: no text form of the rows is built, written or parsed on the way.
 */
export async function encodeParquet(kind: DatasetKind, rows: LakeRow[], path: string): Promise<void> {
  const layout = Object.entries(columns[kind]).map(([name, type]) => ({ name, ...staging[type] }));
  const connection = await (await duckdb()).connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(
      `CREATE TEMPORARY TABLE ${table} (${layout.map((c) => `${c.name} ${c.type.toString()}`).join(', ')})`,
    );
    await append(
      connection,
      layout.map((c) => c.type),
      rows,
    );
    await connection.run(
      `COPY (SELECT ${layout.map((c) => c.select(c.name)).join(', ')} FROM ${table})
       TO ${quote(path)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    connection.closeSync();
  }
}

async function append(connection: DuckDBConnection, types: DuckDBType[], rows: LakeRow[]): Promise<void> {
  const appender = await connection.createAppender(table, 'main', 'temp');
  try {
    for (let from = 0; from < rows.length; from += chunkRows) {
      const count = Math.min(chunkRows, rows.length - from);
      const chunk = DuckDBDataChunk.create(types, count);
      const values = types.map(() => new Array<string | number | null>(count));
      for (let i = 0; i < count; i++) {
        const row = (rows[from + i] as LakeRow).values;
        for (let c = 0; c < types.length; c++) (values[c] as unknown[])[i] = row[c] ?? null;
      }
      chunk.setColumns(values);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
