import { defineMetrics, delayBuckets, fastBuckets, sizeBuckets } from '@inventory/service';

export const createMetrics = defineMetrics((m) => ({
  applied: m.counter('aggregator_events_applied_total', 'Events folded into state'),
  freshness: m.histogram(
    'aggregator_freshness_seconds',
    'From an event written to the input topic (its record timestamp) to its state written to Redis, where every answer reads it',
    delayBuckets,
  ),
  reservationOutcomes: m.counter(
    'aggregator_reservation_outcomes_total',
    'Reservation decisions and expiries, by the status they left the reservation in',
    ['status'],
  ),
  duplicates: m.counter(
    'aggregator_events_duplicate_total',
    'Events dropped because their eventId was applied within the dedup horizon',
  ),
  late: m.counter(
    'aggregator_late_deltas_total',
    'Events older than the last COUNT of their location x sku, not applied',
  ),
  unplacedCounts: m.counter(
    'aggregator_counts_unplaced_total',
    'COUNTs older than what their location x sku journal still covers: set absolutely, later deltas folded before them are lost',
  ),
  deadLettered: m.counter(
    'aggregator_dead_letters_total',
    'Poison events sent to the dead-letter topic, by error code',
    ['code'],
  ),
  fenced: m.counter(
    'aggregator_fenced_batches_total',
    'Batches not written because the partition offset in Redis had moved (lost partition, wipe)',
  ),
  rebuilds: m.counter('aggregator_partition_rebuilds_total', 'Partitions rebuilt from the compacted topics'),
  rewinds: m.counter(
    'aggregator_redis_rewinds_total',
    'Times Redis held less of a partition than this instance had written (it lost writes); folded again from there',
  ),
  replicaWaits: m.counter(
    'aggregator_replica_waits_total',
    'Times a step deciding reservations waited again for its replicas (WAIT answered too few)',
  ),
  publishFailures: m.counter(
    'aggregator_publish_failures_total',
    'Publications of outputs that failed; the partition held its outbox and retried',
  ),
  outboxFlushed: m.counter(
    'aggregator_outbox_entries_published_total',
    'Outbox entries published after a failed publication or a predecessor crash',
  ),
  retentionGaps: m.counter(
    'aggregator_retention_gaps_total',
    'Times input records were deleted by retention before they were folded',
    ['topic'],
  ),
  peerStates: m.counter(
    'aggregator_peer_states_total',
    "States of another data centre's locations written here (a copy of a version already held is not)",
    ['data_centre'],
  ),
  peerHeartbeat: m.gauge(
    'aggregator_peer_heartbeat_timestamp_seconds',
    'Newest MirrorMaker heartbeat that arrived from each other data centre: how current its copies are',
    ['data_centre'],
  ),
  peerRewinds: m.counter(
    'aggregator_peer_rewinds_total',
    "Times Redis held another offset of a mirrored partition than this instance had written (lost keys, a partition taken over): read again from Redis' offset",
    ['data_centre'],
  ),
  stateLookups: m.counter(
    'aggregator_state_lookups_total',
    "Location x sku states the steps touched, by where they came from: the partition's cache or a read of Redis (AGG_CACHED_LOCATIONS_PER_PARTITION)",
    ['from'],
  ),
  lag: m.gauge(
    'aggregator_partition_lag',
    "Input records not applied yet, per owned partition: the partition's newest end offset known (fetches, and the broker's answer every commit interval) minus the next offset to apply",
    ['partition'],
  ),
  stepFailures: m.counter(
    'aggregator_step_failures_total',
    'Steps, or preparations of a partition, that failed mid-way (Redis, the registry or the dead-letter topic): the partition fetched again from what Redis holds',
  ),
  stepEvents: m.histogram(
    'aggregator_step_events',
    'Events folded per step: small when quiet, up to the step size under load',
    sizeBuckets,
  ),
  publishSeconds: m.histogram(
    'aggregator_publish_seconds',
    'Time to publish one coalesced set of outputs (a transaction on the compacted topics) and acknowledge its outbox entries',
    fastBuckets,
  ),
  foldSeconds: m.histogram(
    'aggregator_batch_seconds',
    'Time of one step: decode, read state, fold, atomic write (publication runs beside the next steps)',
    fastBuckets,
  ),
}));

export type AggregatorMetrics = ReturnType<typeof createMetrics>;
