// npm run lake:query -- "SELECT type, count(*) FROM events GROUP BY type"   (the local stack's lake)
// Elsewhere: the sink's location settings (LAKE_TARGET, LAKE_ROOT or LAKE_S3_*), then
//   npm run query -w @inventory/lake-sink -- "<SQL>"
// Views: one per topic folder of the lake (events, raw_mq, raw_sap_mard, ...).

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, describeError } from '@inventory/core';
import { parseLakeLocation } from './config.ts';
import { openLakeStore } from './location.ts';
import { mirrorLake, topicsNamedBy, topicsOf } from './mirror.ts';
import { httpfsLoads, queryLake } from './query.ts';

const sql = process.argv.slice(2).join(' ').trim();
if (!sql) {
  console.error('usage: lake-query "<SQL>"   (views: events, raw_mq, raw_sap_mard, ...)');
  process.exit(2);
}
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

async function main(): Promise<Record<string, unknown>[]> {
  const location = parseLakeLocation(process.env);
  if (location.TARGET === 'file') return queryLake(location.ROOT as string, sql);
  const store = openLakeStore(location, createLogger('lake-query', 'warn'));
  try {
    const topics = topicsOf(await store.list(''));
    if (await httpfsLoads()) {
      const endpoint = location.S3_ENDPOINT ? new URL(location.S3_ENDPOINT) : undefined;
      const secret = [
        'TYPE s3',
        `REGION '${location.S3_REGION}'`,
        ...(location.S3_ACCESS_KEY_ID ? [`KEY_ID '${location.S3_ACCESS_KEY_ID}'`] : []),
        ...(location.S3_SECRET_ACCESS_KEY ? [`SECRET '${location.S3_SECRET_ACCESS_KEY}'`] : []),
        ...(endpoint ? [`ENDPOINT '${endpoint.host}'`, `USE_SSL ${endpoint.protocol === 'https:'}`] : []),
        ...(location.S3_FORCE_PATH_STYLE ? ["URL_STYLE 'path'"] : []),
      ].join(', ');
      console.error(`lake:query: reading ${store.location} directly (DuckDB httpfs)`);
      return await queryLake(
        { root: store.location, topics, setup: ['LOAD httpfs', `CREATE SECRET lake (${secret})`] },
        sql,
      );
    }
    // One copy per bucket and prefix: two lakes never mix in one folder.
    const cache = join(
      location.QUERY_CACHE ?? join(tmpdir(), 'inventory-lake-cache'),
      location.S3_BUCKET,
      location.S3_PREFIX,
    );
    const report = await mirrorLake(store, cache, topicsNamedBy(sql, topics));
    console.error(
      `lake:query: DuckDB's httpfs extension is not installed here (and cannot be fetched offline), so the query reads a local copy of ${store.location}: ${report.fetched} objects fetched (${mb(report.fetchedBytes)} MB), ${report.kept} already in ${cache}, ${report.removed} removed (topics: ${report.topics.join(', ') || 'none'})`,
    );
    return await queryLake(cache, sql);
  } finally {
    await store.close();
  }
}

main().then(
  (rows) => console.table(rows),
  (error) => {
    console.error(`lake:query: ${describeError(error)}`);
    process.exit(1);
  },
);
