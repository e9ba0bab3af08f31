/** Each chart: its queries (the recording rules of deploy/prometheus/rules), the labels that name a series. */
export const charts = [
  {
    id: 'flow',
    title: 'Events in and applied',
    unit: 'events/s',
    queries: [
      { expr: 'inventory:ingest_events:rate1m', by: ['source'], name: 'in' },
      { expr: 'inventory:events_applied:rate1m', by: [], name: 'applied' },
    ],
  },
  {
    id: 'lag',
    title: 'Consumer lag per partition (aggregator)',
    unit: 'events',
    queries: [{ expr: 'inventory:consumer_lag:by_partition', by: ['partition'], name: 'lag' }],
  },
  {
    id: 'freshness',
    title: 'Freshness: written to Kafka → readable',
    unit: 's',
    queries: [
      { expr: 'inventory:freshness_seconds:p50', by: [], name: 'p50' },
      { expr: 'inventory:freshness_seconds:p99', by: [], name: 'p99' },
    ],
  },
  {
    id: 'dead-letters',
    title: 'Dead letters per topic',
    unit: 'records/s',
    queries: [{ expr: 'inventory:dead_letters:rate1m', by: ['topic'], name: 'dead letters' }],
  },
  {
    id: 'reservations',
    title: 'Reservations by outcome',
    unit: 'decisions/s',
    queries: [
      {
        expr: 'inventory:reservation_outcomes:rate1m{status=~"CONFIRMED|REFUSED|EXPIRED"}',
        by: ['status'],
        name: 'reservations',
      },
    ],
  },
  {
    id: 'erp',
    title: 'ERP delivery: retries and dead letters',
    unit: 'deliveries/s',
    queries: [
      { expr: 'sum(inventory:erp_retries:rate1m)', by: [], name: 'retries' },
      { expr: 'sum(inventory:erp_dead_letters:rate1m)', by: [], name: 'dead letters' },
      { expr: 'sum(inventory:erp_delivered:rate1m)', by: [], name: 'delivered' },
    ],
  },
] as const;

/** The instant queries of the tables beside the charts. */
export const tableQueries = {
  up: 'up',
  reasons: 'inventory:dead_letters:increase1h > 0',
  reconciliation: 'inventory:reconciliation_runs:increase1d > 0',
  corrected: 'max(reconciliation_items_changed)',
} as const;
