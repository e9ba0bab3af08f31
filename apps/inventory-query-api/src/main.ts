import { runService } from '@inventory/service';
import { buildQueryApi } from './app.ts';
import { connectQueryApi } from './clients.ts';
import { parseQueryConfig } from './config.ts';

runService({
  name: 'inventory-query-api',
  settings: parseQueryConfig,
  clients: connectQueryApi,
  app: buildQueryApi,
});
