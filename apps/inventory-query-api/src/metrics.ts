import { defineMetrics } from '@inventory/service';

export const createMetrics = defineMetrics((m) => ({
  sseDropped: m.counter(
    'query_sse_clients_dropped_total',
    'SSE clients cut off because they stopped reading',
  ),
  sseOpen: m.gauge('query_sse_streams_open', 'Change streams open on this instance'),
  sseRefused: m.counter(
    'query_sse_streams_refused_total',
    'Change streams refused by their cap: per API key (key, 429) or of the instance (instance, 503)',
    ['scope'],
  ),
}));

export type QueryMetrics = ReturnType<typeof createMetrics>;
