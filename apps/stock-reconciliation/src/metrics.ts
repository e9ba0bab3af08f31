import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    runs: new Counter({
      name: 'reconciliation_runs_total',
      help: 'Reconciliation runs by outcome (refused: another run held the lease)',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    changed: new Gauge({
      name: 'reconciliation_items_changed',
      help: 'Items corrected by the last completed run',
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'reconciliation_duration_seconds',
      help: 'Duration of a run',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800],
      registers: [registry],
    }),
  };
}

export type ReconciliationMetrics = ReturnType<typeof createMetrics>;
