import { defineMetrics, delayBuckets, fastBuckets } from '@inventory/service';

export const createMetrics = defineMetrics((m) => ({
  delivered: m.counter(
    'erp_delivery_delivered_total',
    'Records delivered (2xx), by kind, destination and the stage that delivered them (0 = first attempt)',
    ['kind', 'destination', 'stage'],
  ),
  replayed: m.counter(
    'erp_delivery_replayed_total',
    'Deliveries the receiver had already applied (Idempotent-Replayed): duplicates absorbed by the key',
    ['kind', 'destination'],
  ),
  retried: m.counter(
    'erp_delivery_retried_total',
    'Failed deliveries sent to a retry stage, by the stage they go to',
    ['stage', 'destination', 'code'],
  ),
  deadLettered: m.counter(
    'erp_delivery_dead_lettered_total',
    'Deliveries sent to the dead-letter topic, by reason',
    ['reason', 'destination'],
  ),
  latency: m.histogram(
    'erp_delivery_latency_seconds',
    'From the original record written to its delivery acknowledged, retries included',
    delayBuckets,
    ['kind', 'destination'],
  ),
  call: m.histogram(
    'erp_delivery_call_seconds',
    'Duration of one HTTP call to a receiver, by outcome',
    fastBuckets,
    ['destination', 'outcome'],
  ),
  soldEvents: m.counter(
    'erp_delivery_sold_events_total',
    'SALE and RETURN events summed into sold-quantity periods (late: their period had closed)',
    ['late'],
  ),
  soldDuplicates: m.counter(
    'erp_delivery_sold_duplicates_total',
    'SALE and RETURN events left out because their eventId was summed before (retries, redeliveries)',
  ),
  soldSkipped: m.counter(
    'erp_delivery_sold_skipped_total',
    'Events left out of the sold quantities by the rules the aggregator dead-letters them by',
  ),
  soldPublished: m.counter(
    'erp_delivery_sold_periods_published_total',
    'Closed sold-quantity summaries published for delivery',
  ),
}));

export type DeliveryMetrics = ReturnType<typeof createMetrics>;
