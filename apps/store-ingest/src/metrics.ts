import { defineMetrics, fastBuckets, sizeBuckets } from '@inventory/service';

/** Prometheus metrics of one app instance (its own registry, so tests do not share counters). */
export const createMetrics = defineMetrics((m) => ({
  accepted: m.counter('ingest_events_accepted_total', 'Events acknowledged by Kafka and answered 202'),
  refused: m.counter('ingest_events_refused_total', 'Events of refused requests, by reason (error code)', [
    'reason',
  ]),
  produceLatency: m.histogram(
    'ingest_produce_latency_seconds',
    'Time from the start of a Kafka write to the acknowledgement of all its events',
    fastBuckets,
  ),
  eventsPerSend: m.histogram(
    'ingest_events_per_produce',
    'Events per produce request: concurrent requests coalesced into one',
    sizeBuckets,
  ),
}));

export type IngestMetrics = ReturnType<typeof createMetrics>;
