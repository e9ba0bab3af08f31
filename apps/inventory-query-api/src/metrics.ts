import { defineMetrics } from '@inventory/service';

export const createMetrics = defineMetrics((m) => ({
  sseDropped: m.counter(
    'query_sse_clients_dropped_total',
    'SSE clients cut off because they stopped reading',
  ),
}));

export type QueryMetrics = ReturnType<typeof createMetrics>;
