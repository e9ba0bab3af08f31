import { murmur3x86x128 } from './hash.ts';

/**
 * The deduplication contract, which every source and the aggregator agree on.
 *
 * - What: an event is applied once per eventId (identity.ts: namespaced by source and
 *   client). A repeat is dropped, whichever path it took (a client's retry, MQ redelivery,
 *   Debezium's at-least-once delivery, a crash replay).
 * - How long: an eventId is remembered by the UTC day of its own occurredAt, for `horizonMs`
 *   after that time (7 days by default, a week-long store outage) plus `graceMs` (1 day) for
 *   an event accepted at the edge of the horizon and folded later. A retry repeats the
 *   event's occurredAt, so it always finds the day its first copy was remembered in.
 * - Past it: an event older than the horizon is refused where it enters (HTTP 422
 *   `beyond_dedup_horizon` at the ingest API; a dead letter at the MQ bridge), and one that
 *   reaches the aggregator older than horizon plus grace is dead-lettered with that reason:
 *   it may already have been counted and a repeat could no longer be recognised. Such stock
 *   is corrected with a COUNT, which is idempotent by nature.
 * - Cost: one 53-bit fingerprint per event in small Redis hashes (listpack-encoded), about
 *   12 bytes per event (measured by the aggregator's state benchmark), for
 *   horizon + grace + the current day.
 */
export interface DedupPolicy {
  horizonMs: number;
  graceMs: number;
}

export const dayMs = 24 * 60 * 60 * 1000;

export const defaultDedupPolicy: DedupPolicy = { horizonMs: 7 * dayMs, graceMs: dayMs };

/** The UTC day (days since the epoch) whose dedup memory holds an event. */
export const dedupDay = (occurredAt: number): number => Math.floor(occurredAt / dayMs);

/** When the memory of `day` may be dropped: no event of that day is accepted or folded after it. */
export const dedupDayExpiresAt = (day: number, policy: DedupPolicy): number =>
  (day + 1) * dayMs + policy.horizonMs + policy.graceMs;

const days = (ms: number) => `${Math.round((ms / dayMs) * 10) / 10} days`;

/** Where events enter: why one that happened at `occurredAt` is refused now, or undefined. */
export function beyondHorizonProblem(
  occurredAt: number,
  now: number,
  policy: DedupPolicy,
): string | undefined {
  if (occurredAt >= now - policy.horizonMs) return undefined;
  return `is older than the deduplication horizon of ${days(policy.horizonMs)}: a repeat of it could no longer be recognised, so it is not accepted (correct the stock with a COUNT)`;
}

/** In the aggregator: an event too old to be deduplicated safely (dead-lettered, never folded). */
export const beyondFoldHorizon = (occurredAt: number, now: number, policy: DedupPolicy): boolean =>
  occurredAt < now - policy.horizonMs - policy.graceMs;

/**
 * Where an eventId is remembered: one of `shards` small hashes of its day, and a field
 * there. 53 bits of MurmurHash3 (x86, 128) as a decimal field, which Redis stores as an
 * integer; with the shard's bits, two different eventIds of one partition and day share a
 * fingerprint with a probability of about n / 2^53 per event for n events per shard (at
 * 500 per shard: 1 in 1.8e13 events).
 */
export interface Fingerprint {
  shard: number;
  field: string;
}

/**
 * How many shards a day of one partition's dedup memory gets: enough for the eventIds of
 * the day before (a day keeps the count it starts with) to fill each to about 256, half what
 * a Redis hash keeps compact (hash-max-listpack-entries 512), so a day may double and stay
 * compact; never fewer than `minimum`, a power of two.
 */
export function shardsForDay(eventIdsDayBefore: number, minimum: number): number {
  let shards = 1;
  while (shards < minimum || shards * 256 < eventIdsDayBefore) shards *= 2;
  return Math.min(shards, 65_536);
}

export function dedupFingerprint(eventId: string, shards: number): Fingerprint {
  const [h1, h2, h3] = murmur3x86x128(eventId);
  return { shard: h1 % shards, field: String((h2 & 0x1fffff) * 0x100000000 + h3) };
}
