import { parseSettings, setting, type z } from '@inventory/config';
import { defaultDedupPolicy } from '@inventory/domain';

const shape = {
  HTTP_HOST: setting.string().default('127.0.0.1'),
  HTTP_PORT: setting.port().default(19100),
  KAFKA_BROKERS: setting.list(),
  KAFKA_CLIENT_ID: setting.string().default('store-ingest'),
  /** A Confluent-compatible registry; without it the codec uses fingerprint schema ids. */
  SCHEMA_REGISTRY_URL: setting.url().optional(),
  /** JSON file of hashed tokens: {"clients": [{clientId, tokenSha256, locationIds}]}. */
  TOKENS_FILE: setting.string(),
  PRODUCE_TIMEOUT_MS: setting.positiveInt().default(5_000),
  MAX_PENDING_WRITES: setting.positiveInt().default(256),
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
  LOG_LEVEL: setting.logLevel().default('info'),
};

export type IngestConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseIngestConfig(env: Record<string, string | undefined>): IngestConfig {
  return parseSettings(shape, env, { prefix: 'INGEST_' });
}
