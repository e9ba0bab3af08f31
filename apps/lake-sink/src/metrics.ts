import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['topic'] as const;
  return {
    registry,
    rows: new Counter({
      name: 'lake_rows_written_total',
      help: 'Rows written to Parquet',
      labelNames,
      registers: [registry],
    }),
    files: new Counter({
      name: 'lake_files_written_total',
      help: 'Parquet files written',
      labelNames,
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'lake_bytes_written_total',
      help: 'Bytes of Parquet written',
      labelNames,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'lake_dead_letters_total',
      help: 'Records that could not be decoded, sent to the dead-letter topic',
      labelNames,
      registers: [registry],
    }),
    writeFailures: new Counter({
      name: 'lake_write_failures_total',
      help: 'Chunks whose files could not be written (retried while the partition waits)',
      labelNames,
      registers: [registry],
    }),
    commitLag: new Gauge({
      name: 'lake_commit_lag',
      help: 'Records of a partition not yet committed (in the lake) at the last commit',
      labelNames: ['topic', 'partition'] as const,
      registers: [registry],
    }),
  };
}

export type LakeMetrics = ReturnType<typeof createMetrics>;
