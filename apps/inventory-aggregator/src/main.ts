import { runService } from '@inventory/service';
import { buildAggregator } from './app.ts';
import { connectAggregator } from './clients.ts';
import { parseAggregatorConfig } from './config.ts';

runService({
  name: 'inventory-aggregator',
  settings: parseAggregatorConfig,
  clients: connectAggregator,
  app: buildAggregator,
});
