import { parseSettings, setting, type z } from '@inventory/config';
import { topicNames } from '@inventory/kafka';
import { baseSettings, kafkaSettings } from '@inventory/service';

export const shape = {
  ...baseSettings({ httpPort: 19150 }),
  ...kafkaSettings({ clientId: 'lake-sink' }),
  GROUP_ID: setting.string().default('lake-sink'),
  /** Topics whose values are canonical InventoryEvents (Avro): their fields become columns. */
  EVENT_TOPICS: setting.list().default([topicNames.events]),
  /** Topics kept as raw text payloads (MQ records, Debezium JSON). */
  RAW_TOPICS: setting.list().default([topicNames.mqRaw, topicNames.sapRaw]),
  DLQ_TOPIC: setting.string().default(topicNames.lakeDeadLetter),
  /** The lake's root folder. */
  ROOT: setting.string(),
  /**
   * A file holds at most this many records of a partition ... (chunks.ts: the cut depends on
   * the records alone; every instance of a deployment must use the same values)
   */
  ROLL_RECORDS: setting.positiveInt().default(100_000),
  /** ... and records of one window of this many ms of append time: the bound on how stale the lake is. */
  ROLL_MS: setting.positiveInt().default(60_000),
  /** A window is complete this long after its end (clock skew between the brokers and the sink). */
  WINDOW_GRACE_MS: setting.nonNegativeInt().default(5_000),
  /** How soon a crashed instance's partitions go to another one. */
  SESSION_TIMEOUT_MS: setting.positiveInt().default(30_000),
};

export type LakeConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseLakeConfig(env: Record<string, string | undefined>): LakeConfig {
  return parseSettings(shape, env, { prefix: 'LAKE_' });
}
