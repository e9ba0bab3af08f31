import { parseSettings, setting, type z } from '@inventory/config';
import { topicNames } from '@inventory/kafka';
import { defaultJournalBounds } from './fold/journal.ts';

const hour = 60 * 60 * 1000;

const shape = {
  KAFKA_BROKERS: setting.list(),
  KAFKA_CLIENT_ID: setting.string().default('inventory-aggregator'),
  GROUP_ID: setting.string().default('inventory-aggregator'),
  SCHEMA_REGISTRY_URL: setting.url().optional(),
  REDIS_URL: setting.string(),
  /** Prefix of every Redis key (several deployments or tests can share one Redis). */
  REDIS_PREFIX: setting.string().default('inv'),
  INPUT_TOPIC: setting.string().default(topicNames.events),
  STOCK_TOPIC: setting.string().default(topicNames.stock),
  AVAILABILITY_TOPIC: setting.string().default(topicNames.availability),
  LOCATIONS_TOPIC: setting.string().default(topicNames.locations),
  DLQ_TOPIC: setting.string().default(topicNames.eventsDeadLetter),
  /** Must have the input topic's partition count: partition p of both is one set of skus. */
  COMMANDS_TOPIC: setting.string().default(topicNames.reservationCommands),
  OUTCOMES_TOPIC: setting.string().default(topicNames.reservationOutcomes),
  /** How long released, committed, expired and refused reservations answer retries. */
  RESERVATION_RETENTION_MS: setting.positiveInt().default(7 * 24 * hour),
  /** Interval of clock ticks that expire reservations on quiet partitions; 0 turns them off. */
  RESERVATION_TICK_MS: setting.nonNegativeInt().default(5_000),
  /** An eventId applied within this horizon is dropped when it comes again. */
  DEDUP_HORIZON_MS: setting.positiveInt().default(24 * hour),
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
  // Batches of different partitions overlap their Redis and Kafka waits; more than the
  // partitions an instance owns brings nothing.
  PARTITIONS_CONCURRENTLY: setting.positiveInt().default(12),
  MAX_BYTES_PER_PARTITION: setting.positiveInt().default(1024 * 1024),
  LOCATIONS_REFRESH_MS: setting.positiveInt().default(60_000),
  HTTP_HOST: setting.string().default('127.0.0.1'),
  HTTP_PORT: setting.port().default(19110),
  LOG_LEVEL: setting.logLevel().default('info'),
};

export type AggregatorConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseAggregatorConfig(env: Record<string, string | undefined>): AggregatorConfig {
  return parseSettings(shape, env, { prefix: 'AGG_' });
}
