import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one app instance (its own registry, so tests do not share counters). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'ingest_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    accepted: new Counter({
      name: 'ingest_events_accepted_total',
      help: 'Events acknowledged by Kafka and answered 202',
      registers: [registry],
    }),
    refused: new Counter({
      name: 'ingest_events_refused_total',
      help: 'Events of refused requests, by reason (error code)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    produceLatency: new Histogram({
      name: 'ingest_produce_latency_seconds',
      help: 'Time from the start of a Kafka write to the acknowledgement of all its events',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createMetrics>;
