// npm run lake:query -- "SELECT type, count(*) FROM events GROUP BY type"
// Views: one per topic folder of the lake (events, raw_mq, raw_sap_mard, ...). The lake is
// LAKE_ROOT, by default the local stack's `lake/` folder.
import { join } from 'node:path';
import { errorMessage } from '@inventory/core';
import { stackHome } from '@inventory/testkit';
import { queryLake } from './query.ts';

const sql = process.argv.slice(2).join(' ').trim();
if (!sql) {
  console.error('usage: npm run lake:query -- "<SQL>"   (views: events, raw_mq, raw_sap_mard, ...)');
  process.exit(2);
}
try {
  const rows = await queryLake(process.env.LAKE_ROOT ?? join(stackHome(), 'lake'), sql);
  console.table(rows);
} catch (error) {
  console.error(`lake:query: ${errorMessage(error)}`);
  process.exit(1);
}
