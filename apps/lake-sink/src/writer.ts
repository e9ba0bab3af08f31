import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { columns, type DatasetKind, type LakeRow } from './rows.ts';

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Writes rows as one Parquet file (zstd) at `path`: first to `<path>.tmp`, flushed to disk,
 * then renamed, so a reader or a restart never sees half a file. DuckDB does the Parquet
 * encoding; the rows reach it as newline-delimited JSON with the column types fixed here.
 * Returns the file's size in bytes.
 */
export async function writeParquet(kind: DatasetKind, rows: LakeRow[], path: string): Promise<number> {
  mkdirSync(dirname(path), { recursive: true });
  // Names of this write alone: two writers of one chunk (a frozen one woken up) never share one.
  const unique = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = `${path}.${unique}.ndjson.tmp`;
  const temporary = `${path}.${unique}.tmp`;
  writeFileSync(staging, `${rows.map((r) => JSON.stringify(r.values)).join('\n')}\n`);
  const types = Object.entries(columns[kind])
    .map(([name, type]) => `${name}: ${quote(type)}`)
    .join(', ');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(
      `COPY (SELECT ${Object.keys(columns[kind]).join(', ')} FROM read_json(${quote(staging)}, format = 'newline_delimited', columns = {${types}}))
       TO ${quote(temporary)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(staging, { force: true });
  }
  const fd = openSync(temporary, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, path);
  // The rename itself is durable once the directory is synced.
  const dir = openSync(dirname(path), 'r');
  fsyncSync(dir);
  closeSync(dir);
  return statSync(path).size;
}
