// LAKE_ROOT=<lake> npm run query -w @inventory/lake-sink -- "SELECT type, count(*) FROM events GROUP BY type"
// (the local stack's lake: npm run lake:query -- "<SQL>"). Views: one per topic folder of the
// lake (events, raw_mq, raw_sap_mard, ...).
import { errorMessage } from '@inventory/core';
import { queryLake } from './query.ts';

const sql = process.argv.slice(2).join(' ').trim();
const root = process.env.LAKE_ROOT;
if (!sql || !root) {
  console.error(
    'usage: LAKE_ROOT=<lake folder> lake-query "<SQL>"   (views: events, raw_mq, raw_sap_mard, ...)',
  );
  process.exit(2);
}
try {
  const rows = await queryLake(root, sql);
  console.table(rows);
} catch (error) {
  console.error(`lake:query: ${errorMessage(error)}`);
  process.exit(1);
}
