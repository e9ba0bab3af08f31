import { defineService } from '@inventory/service';
import { buildAggregator } from './app.ts';
import { connectAggregator } from './clients.ts';
import { parseAggregatorConfig } from './config.ts';

/** What main.ts runs and tests build in process (@inventory/testkit buildInProcess). */
export const aggregatorService = defineService({
  name: 'inventory-aggregator',
  settings: parseAggregatorConfig,
  clients: connectAggregator,
  app: buildAggregator,
});
