import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    delivered: new Counter({
      name: 'erp_delivery_delivered_total',
      help: 'Records delivered (2xx), by kind, destination and the stage that delivered them (0 = first attempt)',
      labelNames: ['kind', 'destination', 'stage'] as const,
      registers: [registry],
    }),
    replayed: new Counter({
      name: 'erp_delivery_replayed_total',
      help: 'Deliveries the receiver had already applied (Idempotent-Replayed): duplicates absorbed by the key',
      labelNames: ['kind', 'destination'] as const,
      registers: [registry],
    }),
    retried: new Counter({
      name: 'erp_delivery_retried_total',
      help: 'Failed deliveries sent to a retry stage, by the stage they go to',
      labelNames: ['stage', 'destination', 'code'] as const,
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'erp_delivery_dead_lettered_total',
      help: 'Deliveries sent to the dead-letter topic, by reason',
      labelNames: ['reason', 'destination'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'erp_delivery_latency_seconds',
      help: 'From the original record written to its delivery acknowledged, retries included',
      labelNames: ['kind', 'destination'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    call: new Histogram({
      name: 'erp_delivery_call_seconds',
      help: 'Duration of one HTTP call to a receiver, by outcome',
      labelNames: ['destination', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    soldEvents: new Counter({
      name: 'erp_delivery_sold_events_total',
      help: 'SALE and RETURN events summed into sold-quantity periods (late: their period had closed)',
      labelNames: ['late'] as const,
      registers: [registry],
    }),
    soldDuplicates: new Counter({
      name: 'erp_delivery_sold_duplicates_total',
      help: 'SALE and RETURN events left out because their eventId was summed before (retries, redeliveries)',
      registers: [registry],
    }),
    soldSkipped: new Counter({
      name: 'erp_delivery_sold_skipped_total',
      help: 'Events left out of the sold quantities by the rules the aggregator dead-letters them by',
      registers: [registry],
    }),
    soldPublished: new Counter({
      name: 'erp_delivery_sold_periods_published_total',
      help: 'Closed sold-quantity summaries published for delivery',
      registers: [registry],
    }),
  };
}

export type DeliveryMetrics = ReturnType<typeof createMetrics>;
