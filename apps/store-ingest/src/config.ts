import { parseSettings, setting, type z } from '@inventory/config';
import { InventoryError } from '@inventory/core';
import { defaultDedupPolicy } from '@inventory/domain';
import { defaultMaxRequestBytes } from '@inventory/kafka';
import { baseSettings, kafkaSettings, topicSettings } from '@inventory/service';

export const shape = {
  ...baseSettings({ httpPort: 19100 }),
  ...kafkaSettings({ clientId: 'store-ingest' }),
  ...topicSettings({ EVENTS: 'events' }),
  /** JSON file of hashed tokens: {"clients": [{clientId, tokenSha256, locationIds}]}. */
  TOKENS_FILE: setting.string(),
  PRODUCE_TIMEOUT_MS: setting.positiveInt().default(5_000),
  /** Events waiting for Kafka before requests are answered 503 (memory bound while Kafka is slow). */
  MAX_PENDING_EVENTS: setting.positiveInt().default(100_000),
  /** Most events one produce request carries; concurrent requests are coalesced up to it. */
  MAX_EVENTS_PER_SEND: setting.positiveInt().default(10_000),
  /** Most bytes of one produce request (half the broker's 1 MiB default); a larger request goes out in several. */
  MAX_BYTES_PER_SEND: setting.positiveInt().default(defaultMaxRequestBytes),
  RETRY_AFTER_SECONDS: setting.positiveInt().default(5),
  MAX_JSON_BYTES: setting.positiveInt().default(1024 * 1024),
  MAX_JSON_EVENTS: setting.positiveInt().default(1_000),
  MAX_NDJSON_BYTES: setting.positiveInt().default(10 * 1024 * 1024),
  MAX_NDJSON_EVENTS: setting.positiveInt().default(10_000),
  /** Requests per second of one client (its token), and how many at once; 429 beyond. */
  RATE_PER_SECOND: setting.positiveInt().default(50),
  RATE_BURST: setting.positiveInt().default(100),
  /**
   * Events per second of one client, a batch costing one per event, and how many at once
   * (at least the largest batch, MAX_NDJSON_EVENTS); 429 with Retry-After beyond. Bounds what
   * one client takes of Kafka and the aggregator whatever its batch size.
   */
  EVENTS_RATE_PER_SECOND: setting.positiveInt().default(2_000),
  EVENTS_RATE_BURST: setting.positiveInt().default(20_000),
  MAX_FUTURE_SKEW_MS: setting.nonNegativeInt().default(5 * 60_000),
  /** Events older than this are refused (422): must equal the aggregator's AGG_DEDUP_HORIZON_MS. */
  DEDUP_HORIZON_MS: setting.positiveInt().default(defaultDedupPolicy.horizonMs),
};

export type IngestConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseIngestConfig(env: Record<string, string | undefined>): IngestConfig {
  const config = parseSettings(shape, env, { prefix: 'INGEST_' });
  // A batch larger than the burst could never be taken, however long its client waited.
  const largest = Math.max(config.MAX_JSON_EVENTS, config.MAX_NDJSON_EVENTS);
  if (config.EVENTS_RATE_BURST < largest)
    throw new InventoryError(
      'CONFIG_INVALID',
      `invalid configuration: INGEST_EVENTS_RATE_BURST: must be at least the largest batch (INGEST_MAX_JSON_EVENTS, INGEST_MAX_NDJSON_EVENTS: ${largest})`,
    );
  return config;
}
