import { parseSettings, setting, type z } from '@inventory/config';
import { topicNames } from '@inventory/kafka';

const shape = {
  KAFKA_BROKERS: setting.list(),
  KAFKA_CLIENT_ID: setting.string().default('lake-sink'),
  GROUP_ID: setting.string().default('lake-sink'),
  SCHEMA_REGISTRY_URL: setting.url().optional(),
  /** Topics whose values are canonical InventoryEvents (Avro): their fields become columns. */
  EVENT_TOPICS: setting.list().default([topicNames.events]),
  /** Topics kept as raw text payloads (MQ records, Debezium JSON). */
  RAW_TOPICS: setting.list().default([topicNames.mqRaw, topicNames.sapRaw]),
  DLQ_TOPIC: setting.string().default(topicNames.lakeDeadLetter),
  /** The lake's root folder. */
  ROOT: setting.string(),
  /** A partition's buffer is written once it holds this many records ... */
  ROLL_RECORDS: setting.positiveInt().default(100_000),
  /** ... or once its oldest record waited this long: the bound on how stale the lake is. */
  ROLL_MS: setting.positiveInt().default(60_000),
  /** How soon a crashed instance's partitions go to another one. */
  SESSION_TIMEOUT_MS: setting.positiveInt().default(30_000),
  HTTP_HOST: setting.string().default('127.0.0.1'),
  HTTP_PORT: setting.port().default(19150),
  LOG_LEVEL: setting.logLevel().default('info'),
};

export type LakeConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseLakeConfig(env: Record<string, string | undefined>): LakeConfig {
  return parseSettings(shape, env, { prefix: 'LAKE_' });
}
