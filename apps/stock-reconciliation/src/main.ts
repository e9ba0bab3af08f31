import { runService } from '@inventory/service';
import { buildReconciliation } from './app.ts';
import { connectReconciliation } from './clients.ts';
import { parseReconciliationConfig } from './config.ts';

runService({
  name: 'stock-reconciliation',
  settings: parseReconciliationConfig,
  clients: connectReconciliation,
  app: buildReconciliation,
});
