import { parseSettings, setting, type z } from '@inventory/config';
import { baseSettings, kafkaSettings, topicSettings } from '@inventory/service';

export const shape = {
  ...baseSettings({ httpPort: 19140 }),
  ...kafkaSettings({ clientId: 'sap-normalizer' }),
  GROUP_ID: setting.string().default('sap-normalizer'),
  /**
   * RAW_TOPIC holds Debezium's change events of SAPSR3.MARD (JSON).
   */
  ...topicSettings({ RAW: 'sapRaw', EVENTS: 'events', DLQ: 'sapDeadLetter' }),
  /** Master data: plant and storage location to locationId (JSON, see deploy/local/seed/sap-plants.json). */
  PLANTS_FILE: setting.string(),
  SESSION_TIMEOUT_MS: setting.positiveInt().default(30_000),
};

export type NormalizerConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseNormalizerConfig(env: Record<string, string | undefined>): NormalizerConfig {
  return parseSettings(shape, env, { prefix: 'SAP_' });
}
