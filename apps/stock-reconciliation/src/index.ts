// What tests and the benchmark build the reconciliation from.
export { buildReconciliation, type ReconciliationApp } from './app.ts';
export { connectReconciliation, type ReconciliationClients } from './clients.ts';
export { parseReconciliationConfig, type ReconciliationConfig } from './config.ts';
export { type JobDeps, type JobOutcome, runReconciliation } from './job.ts';
export { reconciliationService } from './service.ts';
