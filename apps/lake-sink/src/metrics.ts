import { defineMetrics } from '@inventory/service';

const byTopic = ['topic'] as const;

export const createMetrics = defineMetrics((m) => ({
  rows: m.counter('lake_rows_written_total', 'Rows written to Parquet', byTopic),
  files: m.counter('lake_files_written_total', 'Parquet files written', byTopic),
  bytes: m.counter('lake_bytes_written_total', 'Bytes of Parquet written', byTopic),
  deadLetters: m.counter(
    'lake_dead_letters_total',
    'Records that could not be decoded, sent to the dead-letter topic',
    byTopic,
  ),
  writeFailures: m.counter(
    'lake_write_failures_total',
    'Chunks whose files could not be written (retried while the partition waits)',
    byTopic,
  ),
  commitLag: m.gauge(
    'lake_commit_lag',
    'Records of a partition not yet committed (in the lake) at the last commit',
    ['topic', 'partition'],
  ),
}));

export type LakeMetrics = ReturnType<typeof createMetrics>;
