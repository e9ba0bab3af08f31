import { parseSettings, setting, type z } from '@inventory/config';
import { InventoryError } from '@inventory/core';
import { defaultDedupPolicy } from '@inventory/domain';
import { baseSettings, kafkaSettings, topicSettings } from '@inventory/service';

export const shape = {
  ...baseSettings({ httpPort: 19130 }),
  ...kafkaSettings({ clientId: 'mq-bridge' }),
  /** The MQ connection (AMQP URL: RabbitMQ locally). Contains the password: never logged. */
  AMQP_URL: setting.string(),
  QUEUE: setting.string().default('mainframe.stock-movements'),
  DEAD_LETTER_QUEUE: setting.string().default('mainframe.stock-movements.dlq'),
  ...topicSettings({ EVENTS: 'events', RAW: 'mqRaw', DLQ: 'mqDeadLetter' }),
  /** Messages taken from MQ and acknowledged together. */
  BATCH_SIZE: setting.positiveInt().default(500),
  /**
   * Largest produce request: a batch goes out in as many as it needs (request-size.ts), below
   * the brokers' and topics' 1 MiB, which refuse a larger one for good: 500 raw copies of
   * 2 KB mainframe records would be refused, and the batch retried without end.
   */
  MAX_REQUEST_BYTES: setting.positiveInt().default(512 * 1024),
  /**
   * Largest MQ message sent to Kafka as it is; a larger one is a dead letter (oversize.ts):
   * whole on the MQ dead-letter queue, in Kafka by its size and checksum.
   */
  MAX_MESSAGE_BYTES: setting.positiveInt().default(512 * 1024),
  /** Longest wait for a batch to fill before it is sent anyway. */
  LINGER_MS: setting.positiveInt().default(20),
  /** Unacknowledged messages MQ may hand out: at least BATCH_SIZE, so a batch can fill. */
  PREFETCH: setting.positiveInt().default(1000),
  DEPTH_POLL_MS: setting.positiveInt().default(5_000),
  /** Movements older than this are dead-lettered: must equal the aggregator's AGG_DEDUP_HORIZON_MS. */
  DEDUP_HORIZON_MS: setting.positiveInt().default(defaultDedupPolicy.horizonMs),
};

export type BridgeConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseBridgeConfig(env: Record<string, string | undefined>): BridgeConfig {
  const config = parseSettings(shape, env, { prefix: 'MQ_' });
  if (config.PREFETCH < config.BATCH_SIZE) {
    throw new InventoryError(
      'CONFIG_INVALID',
      `invalid configuration: MQ_PREFETCH (${config.PREFETCH}) must be at least MQ_BATCH_SIZE (${config.BATCH_SIZE})`,
    );
  }
  return config;
}
