import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    applied: new Counter({
      name: 'aggregator_events_applied_total',
      help: 'Events folded into state',
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'aggregator_events_duplicate_total',
      help: 'Events dropped because their eventId was applied within the dedup horizon',
      registers: [registry],
    }),
    late: new Counter({
      name: 'aggregator_late_deltas_total',
      help: 'Events older than the last COUNT of their location x sku, not applied',
      registers: [registry],
    }),
    unplacedCounts: new Counter({
      name: 'aggregator_counts_unplaced_total',
      help: 'COUNTs older than what their location x sku journal still covers: set absolutely, later deltas folded before them are lost',
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'aggregator_dead_letters_total',
      help: 'Poison events sent to the dead-letter topic, by error code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    fenced: new Counter({
      name: 'aggregator_fenced_batches_total',
      help: 'Batches not written because the partition offset in Redis had moved (lost partition, wipe)',
      registers: [registry],
    }),
    rebuilds: new Counter({
      name: 'aggregator_partition_rebuilds_total',
      help: 'Partitions rebuilt from the compacted topics',
      registers: [registry],
    }),
    rewinds: new Counter({
      name: 'aggregator_redis_rewinds_total',
      help: 'Times Redis held less of a partition than this instance had written (it lost writes); folded again from there',
      registers: [registry],
    }),
    publishFailures: new Counter({
      name: 'aggregator_publish_failures_total',
      help: 'Publications of outputs that failed; the partition held its outbox and retried',
      registers: [registry],
    }),
    outboxFlushed: new Counter({
      name: 'aggregator_outbox_entries_published_total',
      help: 'Outbox entries published after a failed publication or a predecessor crash',
      registers: [registry],
    }),
    retentionGaps: new Counter({
      name: 'aggregator_retention_gaps_total',
      help: 'Times input records were deleted by retention before they were folded',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'aggregator_partition_lag',
      help: 'High watermark minus next offset to apply, per input partition',
      labelNames: ['partition'] as const,
      registers: [registry],
    }),
    foldSeconds: new Histogram({
      name: 'aggregator_batch_seconds',
      help: 'Time to process one batch: read state, fold, atomic write, publish',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

export type AggregatorMetrics = ReturnType<typeof createMetrics>;
