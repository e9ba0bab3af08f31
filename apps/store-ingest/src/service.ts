import { defineService } from '@inventory/service';
import { buildIngest } from './app.ts';
import { connectIngest } from './clients.ts';
import { parseIngestConfig } from './config.ts';

/** What main.ts runs and tests build in process (@inventory/testkit buildInProcess). */
export const ingestService = defineService({
  name: 'store-ingest',
  settings: parseIngestConfig,
  clients: connectIngest,
  app: buildIngest,
});
