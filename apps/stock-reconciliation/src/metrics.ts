import { defineMetrics, jobBuckets } from '@inventory/service';

export const createMetrics = defineMetrics((m) => ({
  runs: m.counter(
    'reconciliation_runs_total',
    'Reconciliation runs by outcome (refused: another run held the lease)',
    ['status'],
  ),
  archivesDeleted: m.counter(
    'reconciliation_archives_deleted_total',
    'Archived payloads deleted past their retention',
  ),
  changed: m.gauge('reconciliation_items_changed', 'Items corrected by the last completed run'),
  duration: m.histogram('reconciliation_duration_seconds', 'Duration of a run', jobBuckets),
}));

export type ReconciliationMetrics = ReturnType<typeof createMetrics>;
