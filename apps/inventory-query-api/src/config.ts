import { parseSettings, setting, type z } from '@inventory/config';
import { baseSettings, kafkaSettings, redisSettings, topicSettings } from '@inventory/service';

export const shape = {
  ...baseSettings({ httpPort: 19120 }),
  ...kafkaSettings({ clientId: 'inventory-query-api' }),
  ...redisSettings,
  /**
   * The Redis commands of requests handled in one event loop turn go out in one write
   * (redisOf's autoPipelining): with many concurrent requests of a command or two each, a
   * write per command cost a sixth of a one-location answer's CPU. A single Redis only; a
   * Redis Cluster client sends each command as it comes whatever this says (redisOf).
   */
  REDIS_AUTO_PIPELINING: setting.boolean().default(true),
  /**
   * INPUT_TOPIC is the aggregator's input topic: its partition count maps a sku to its Redis keys.
   */
  ...topicSettings({
    INPUT: 'events',
    LOCATIONS: 'locations',
    AVAILABILITY: 'availability',
    COMMANDS: 'reservationCommands',
    OUTCOMES: 'reservationOutcomes',
    PURCHASE_ORDERS: 'purchaseOrders',
  }),
  /** Longest wait for the aggregator's decision before 504 (a retry with the same id is safe). */
  RESERVATION_TIMEOUT_MS: setting.positiveInt().default(5_000),
  /** How long a reservation holds stock when the request names no ttlSeconds. */
  RESERVATION_TTL_SECONDS: setting.positiveInt().default(900),
  /** How long a reservationId stays bound to its sku (must cover the aggregator's retention). */
  RESERVATION_RETENTION_MS: setting.positiveInt().default(8 * 24 * 60 * 60 * 1000),
  SSE_HEARTBEAT_MS: setting.positiveInt().default(15_000),
  /** How long an SSE client waits before it reconnects (sent as `retry:`). */
  SSE_RETRY_MS: setting.positiveInt().default(2_000),
  /** Bytes waiting unsent to one SSE client before it is cut off as stalled. */
  SSE_MAX_BUFFER_BYTES: setting.positiveInt().default(256 * 1024),
  /** Open change streams of one API key; 429 beyond (the console's users share its key). */
  SSE_MAX_STREAMS_PER_KEY: setting.positiveInt().default(250),
  /**
   * Open change streams of the instance; 503 beyond. With SSE_MAX_BUFFER_BYTES it bounds the
   * memory of stalled clients (1000 x 256 KiB = 256 MiB at most).
   */
  SSE_MAX_STREAMS: setting.positiveInt().default(1_000),
  LOCATIONS_REFRESH_MS: setting.positiveInt().default(60_000),
  /** JSON file of hashed API keys: {"keys": [{keyId, keySha256, scopes}]}. */
  API_KEYS_FILE: setting.string(),
  RATE_PER_SECOND: setting.positiveInt().default(200),
  RATE_BURST: setting.positiveInt().default(400),
  /** Longest time any cache (browser or shared) may serve an answer without revalidating. */
  CACHE_MAX_AGE_SECONDS: setting.nonNegativeInt().default(1),
  /** The data centre this deployment runs in. */
  DATA_CENTRE: setting.string().default('dc1'),
  /**
   * The other data centres whose copies the aggregator keeps here: the sku answers are the
   * network view over all of them, with each one's freshness. Unset: one data centre.
   */
  PEER_DATA_CENTRES: setting.list().optional(),
  /**
   * How to reach the other data centres' Kafka (peers.ts), so that a reservation at a
   * location homed there is sent there to be decided. Unset: such a reservation is refused
   * (421), naming the data centre to ask.
   */
  PEERS_FILE: setting.string().optional(),
  /** A peer's part is marked stale once its newest heartbeat here is older than this. */
  PEER_STALE_MS: setting.positiveInt().default(15_000),
  /** Sent as Retry-After with a 503 (Redis or Kafka down). */
  RETRY_AFTER_SECONDS: setting.positiveInt().default(2),
};

export type QueryConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseQueryConfig(env: Record<string, string | undefined>): QueryConfig {
  return parseSettings(shape, env, { prefix: 'QUERY_' });
}
