import { defineService } from '@inventory/service';
import { buildQueryApi } from './app.ts';
import { connectQueryApi } from './clients.ts';
import { parseQueryConfig } from './config.ts';

/** What main.ts runs and tests build in process (@inventory/testkit buildInProcess). */
export const queryApiService = defineService({
  name: 'inventory-query-api',
  settings: parseQueryConfig,
  clients: connectQueryApi,
  app: buildQueryApi,
});
