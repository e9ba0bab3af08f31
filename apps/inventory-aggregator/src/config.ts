import { parseSettings, setting, type z } from '@inventory/config';
import { type DedupPolicy, dayMs, defaultDedupPolicy } from '@inventory/domain';
import { baseSettings, kafkaSettings, redisSettings, topicSettings } from '@inventory/service';
import { defaultJournalBounds } from './fold/journal.ts';

const hour = 60 * 60 * 1000;

export const shape = {
  ...baseSettings({ httpPort: 19110 }),
  ...kafkaSettings({ clientId: 'inventory-aggregator' }),
  ...redisSettings,
  /** Also the prefix of the partitions' transactional ids: one deployment, one group. */
  GROUP_ID: setting.string().default('inventory-aggregator'),
  /**
   * COMMANDS_TOPIC must have the input topic's partition count: partition p of both is one set of skus.
   */
  ...topicSettings({
    INPUT: 'events',
    STOCK: 'stock',
    AVAILABILITY: 'availability',
    RESERVATIONS: 'reservations',
    LOCATIONS: 'locations',
    DLQ: 'eventsDeadLetter',
    COMMANDS: 'reservationCommands',
    OUTCOMES: 'reservationOutcomes',
  }),
  /** How long released, committed, expired and refused reservations answer retries. */
  RESERVATION_RETENTION_MS: setting.positiveInt().default(7 * 24 * hour),
  /** Interval of clock ticks that expire reservations on quiet partitions; 0 turns them off. */
  RESERVATION_TICK_MS: setting.nonNegativeInt().default(5_000),
  /**
   * How long after its occurredAt an eventId is remembered (the dedup contract,
   * @inventory/domain): a repeat within it is dropped. Must equal the ingest's.
   */
  DEDUP_HORIZON_MS: setting.positiveInt().default(defaultDedupPolicy.horizonMs),
  /** Longest delay between an event's acceptance at the horizon's edge and its folding that stays exact. */
  DEDUP_GRACE_MS: setting.positiveInt().default(defaultDedupPolicy.graceMs),
  /**
   * The fewest small hashes per partition and day holding the fingerprints. A day gets more
   * when the day before held more than 256 per shard (shardsForDay), so each stays under
   * Redis' hash-max-listpack-entries (512) and compact; a day keeps the count it started with.
   */
  DEDUP_SHARDS: setting.positiveInt().default(64),
  /**
   * Each location x sku journals its applied deltas so that a COUNT as of an earlier time,
   * folded after them, adds them. Entries older than updatedAt minus this are pruned; a
   * COUNT older than a pruned entry is set absolutely (aggregator_counts_unplaced_total).
   */
  COUNT_JOURNAL_HORIZON_MS: setting.positiveInt().default(defaultJournalBounds.horizonMs),
  /** Most journal entries (distinct occurredAt) kept per location x sku: bounds memory and write size. */
  COUNT_JOURNAL_MAX_ENTRIES: setting.positiveInt().default(defaultJournalBounds.maxEntries),
  SESSION_TIMEOUT_MS: setting.positiveInt().default(10_000),
  HEARTBEAT_INTERVAL_MS: setting.positiveInt().default(1_000),
  /** A partition's transaction open longer than this is aborted by Kafka. */
  TRANSACTION_TIMEOUT_MS: setting.positiveInt().default(60_000),
  /**
   * Longest a partition's publication, or a send of dead letters, may take before it fails
   * and is tried again (with a new producer for the partition's transactional id). The
   * producers retry without bound, so without this a request Kafka never answers would hold
   * the partition for good.
   */
  PUBLISH_TIMEOUT_MS: setting.positiveInt().default(30_000),
  /** How often every owned partition is checked for a Redis that lost it (restored then). */
  WATCHDOG_MS: setting.positiveInt().default(2_000),
  /** Partitions rebuilt in one pass over Kafka after a loss of Redis: bounds the memory it takes. */
  RESTORE_PARTITIONS_PER_PASS: setting.positiveInt().default(4),
  RESTORE_LEASE_MS: setting.positiveInt().default(30_000),
  /**
   * Most events one step of a partition folds. A step takes what arrived while the one before
   * it ran, up to this: while the aggregator keeps up, steps stay small whatever this is; it
   * matters behind a backlog, where a larger step shares its Redis round trips and its
   * publication among more events and catches up sooner (docs/benchmarks.md: 1.7 times the
   * events/s of 2 000 with a backlog of 5 000 skus).
   */
  MAX_STEP_EVENTS: setting.positiveInt().default(10_000),
  /**
   * How long events that arrived wait for more before they are folded as a step (a full step,
   * or reservation commands behind them, goes at once). Under live traffic a step held a
   * handful of events and paid the same Redis round trips as a large one: at 5 000 events/s,
   * 50 ms made steps of 31-37 events instead of 11-14 and took a tenth off the aggregator's
   * CPU per event (docs/benchmarks.md); at 16 667/s steps are large anyway.
   */
  STEP_LINGER_MS: setting.nonNegativeInt().default(50),
  /** Records a partition queues before its fetching pauses (bounds memory when Redis is slow). */
  MAX_QUEUED_EVENTS: setting.positiveInt().default(20_000),
  /**
   * How long a step's outputs wait to be published together with the steps after it:
   * coalesced per key, one transaction. Freshness on the change feed pays up to this;
   * reservation outcomes do not wait (a step that decided one is published at once, with
   * everything pending). Each publication is a Kafka transaction of three round trips: at
   * 5 000 events/s, 100 ms costs 16 % less of the aggregator's CPU than 20 ms
   * (docs/benchmarks.md), within the 500 ms the change feed is to be fresh in.
   */
  PUBLISH_LINGER_MS: setting.nonNegativeInt().default(100),
  /**
   * Location x sku states per partition the runner keeps in memory (the skus touched least
   * recently dropped first): a step reads from Redis only what it lacks. 300-800 bytes a state
   * (the fewer locations a sku has, the more), so 12 partitions take 40-100 MB. The heap also
   * holds what is queued, stepped and published meanwhile: a pod of 1 GiB gives Node a heap of
   * about 550 MB, and with 40 000 a replay of 2 million sparse events runs out of a 512 MB heap
   * (docs/benchmarks.md).
   * aggregator_state_lookups_total says how many states the cache answers.
   */
  CACHED_LOCATIONS_PER_PARTITION: setting.nonNegativeInt().default(10_000),
  /**
   * Replicas that must hold a step deciding reservations before its outcomes are published
   * (Redis WAIT on the partition's primary): 1 against a Redis Cluster, or a primary with
   * replicas, so a failover cannot forget an answer already given. 0 for a lone Redis.
   */
  RESERVATION_REPLICAS: setting.nonNegativeInt().default(0),
  /**
   * How long one WAIT for those replicas blocks before the partition checks and waits again;
   * at most 5 s, below the deadline of a Redis command (`redisCommandTimeoutMs`).
   */
  REPLICA_WAIT_MS: setting.positiveInt().max(5_000).default(1_000),
  /**
   * Largest produce request of a publication, which goes out in as many requests as it needs
   * (one transaction): below the brokers' `message.max.bytes` and the output topics'
   * `max.message.bytes` (1 MiB by default), which refuse a larger batch for good.
   */
  MAX_REQUEST_BYTES: setting.positiveInt().default(512 * 1024),
  /**
   * How often the group's offsets are moved to what is published (lag monitoring, autoscaling)
   * and the input's end offsets are read for the lag gauge.
   */
  COMMIT_INTERVAL_MS: setting.positiveInt().default(1_000),
  MAX_BYTES_PER_PARTITION: setting.positiveInt().default(1024 * 1024),
  /**
   * A fetch answers once it holds this much or FETCH_MAX_WAIT_MS has passed. With the
   * broker's 1 byte, every fetch under live traffic came back at once with a few records:
   * hundreds of fetches a second, each a request, a response to decode and a smaller step.
   * Waiting at most a few milliseconds makes fewer, larger steps, for less CPU per event and,
   * measured, no worse freshness; a reservation command on an idle partition waits at most
   * the same.
   */
  FETCH_MIN_BYTES: setting.positiveInt().default(64 * 1024),
  FETCH_MAX_WAIT_MS: setting.positiveInt().default(10),
  LOCATIONS_REFRESH_MS: setting.positiveInt().default(60_000),
  /** The data centre this deployment runs in (its locations are the ones whose home it is). */
  DATA_CENTRE: setting.string().default('dc1'),
  /**
   * The other data centres whose state MirrorMaker 2 copies here (`<dc>.inventory.stock.v1`):
   * kept in Redis beside this one's for the network view (peers/). Unset: one data centre.
   */
  PEER_DATA_CENTRES: setting.list().optional(),
};

export type AggregatorConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseAggregatorConfig(env: Record<string, string | undefined>): AggregatorConfig {
  return parseSettings(shape, env, { prefix: 'AGG_' });
}

/** What the partitions' steps need of the configuration, by meaning rather than by variable. */
export interface AggregatorSettings {
  groupId: string;
  topics: {
    input: string;
    stock: string;
    availability: string;
    reservations: string;
    commands: string;
    outcomes: string;
    dlq: string;
  };
  dedup: DedupPolicy;
  /**
   * With several data centres, this one: it folds only the events of the locations whose
   * home it is (poison.ts). Undefined with one data centre.
   */
  dataCentre: string | undefined;
}

export function aggregatorSettings(config: AggregatorConfig): AggregatorSettings {
  return {
    groupId: config.GROUP_ID,
    topics: {
      input: config.INPUT_TOPIC,
      stock: config.STOCK_TOPIC,
      availability: config.AVAILABILITY_TOPIC,
      reservations: config.RESERVATIONS_TOPIC,
      commands: config.COMMANDS_TOPIC,
      outcomes: config.OUTCOMES_TOPIC,
      dlq: config.DLQ_TOPIC,
    },
    dedup: { horizonMs: config.DEDUP_HORIZON_MS, graceMs: config.DEDUP_GRACE_MS },
    dataCentre: (config.PEER_DATA_CENTRES ?? []).length > 0 ? config.DATA_CENTRE : undefined,
  };
}

/** The input must keep its records for the dedup horizon and grace: a restore reads them back. */
export function retentionProblem(retentionMs: number, dedup: DedupPolicy): string | undefined {
  const needed = dedup.horizonMs + dedup.graceMs + dayMs;
  if (retentionMs < 0 || retentionMs >= needed) return undefined;
  return `keeps records for ${retentionMs / hour} h, less than the dedup horizon plus grace plus a day (${needed / hour} h): a restore could not read back the eventIds it must remember`;
}
