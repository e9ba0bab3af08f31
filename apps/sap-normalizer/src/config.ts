import { parseSettings, setting, type z } from '@inventory/config';
import { topicNames } from '@inventory/kafka';

const shape = {
  KAFKA_BROKERS: setting.list(),
  KAFKA_CLIENT_ID: setting.string().default('sap-normalizer'),
  GROUP_ID: setting.string().default('sap-normalizer'),
  SCHEMA_REGISTRY_URL: setting.url().optional(),
  /** Debezium's change events of SAPSR3.MARD (JSON). */
  RAW_TOPIC: setting.string().default(topicNames.sapRaw),
  EVENTS_TOPIC: setting.string().default(topicNames.events),
  DLQ_TOPIC: setting.string().default(topicNames.sapDeadLetter),
  /** Master data: plant and storage location to locationId (JSON, see deploy/local/seed/sap-plants.json). */
  PLANTS_FILE: setting.string(),
  HTTP_HOST: setting.string().default('127.0.0.1'),
  HTTP_PORT: setting.port().default(19140),
  LOG_LEVEL: setting.logLevel().default('info'),
};

export type NormalizerConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseNormalizerConfig(env: Record<string, string | undefined>): NormalizerConfig {
  return parseSettings(shape, env, { prefix: 'SAP_' });
}
