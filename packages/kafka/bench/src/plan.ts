import type { ClientName } from './clients/types.ts';

/** What one measuring process does: every case for one client on one Node version. */
export interface ChildPlan {
  client: ClientName;
  registryUrl: string;
  poolSize: number;
  warmupSeconds: number;
  seconds: number;
  produce: ProduceCase[];
  consume: { topic: string; count: number; warmupTopic: string; warmupCount: number };
  latency: { topic: string; rate: number };
}

export interface ProduceCase {
  batch: number;
  /** Sends in flight at once, as concurrent requests of the ingest would have them. */
  concurrency: number;
  topic: string;
}

export interface Throughput {
  recordsPerSecond: number;
  cpuUsPerRecord: number;
}

export interface ProduceResult extends Throughput {
  batch: number;
  concurrency: number;
  /** Every record acknowledged in the case, warm-up included: the topic must hold exactly these. */
  acknowledged: number;
  /** Records the topic holds after the case (filled in by run.ts). */
  landed?: number;
}

export interface LatencyResult {
  /** Records sent per second in the measured window (the target is the plan's rate). */
  sentPerSecond: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuUsPerRecord: number;
}

export interface ChildResult {
  client: ClientName;
  node: string;
  produce: ProduceResult[];
  consume: Throughput;
  latency: LatencyResult;
}

/** The line a measuring process prints its result on. */
export const resultPrefix = 'KAFKA-CLIENT-BENCH-RESULT ';
