import { defineService } from '@inventory/service';
import { buildReconciliation } from './app.ts';
import { connectReconciliation } from './clients.ts';
import { parseReconciliationConfig } from './config.ts';

/** What main.ts runs and tests build in process (@inventory/testkit buildInProcess). */
export const reconciliationService = defineService({
  name: 'stock-reconciliation',
  settings: parseReconciliationConfig,
  clients: connectReconciliation,
  app: buildReconciliation,
});
