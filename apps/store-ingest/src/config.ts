import { parseSettings, setting, type z } from '@inventory/config';
import { defaultDedupPolicy } from '@inventory/domain';
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
  RETRY_AFTER_SECONDS: setting.positiveInt().default(5),
  MAX_JSON_BYTES: setting.positiveInt().default(1024 * 1024),
  MAX_JSON_EVENTS: setting.positiveInt().default(1_000),
  MAX_NDJSON_BYTES: setting.positiveInt().default(10 * 1024 * 1024),
  MAX_NDJSON_EVENTS: setting.positiveInt().default(10_000),
  RATE_PER_SECOND: setting.positiveInt().default(50),
  RATE_BURST: setting.positiveInt().default(100),
  MAX_FUTURE_SKEW_MS: setting.nonNegativeInt().default(5 * 60_000),
  /** Events older than this are refused (422): must equal the aggregator's AGG_DEDUP_HORIZON_MS. */
  DEDUP_HORIZON_MS: setting.positiveInt().default(defaultDedupPolicy.horizonMs),
};

export type IngestConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseIngestConfig(env: Record<string, string | undefined>): IngestConfig {
  return parseSettings(shape, env, { prefix: 'INGEST_' });
}
