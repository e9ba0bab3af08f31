import { parseSettings, secretSetting, setting, z } from '@inventory/config';
import { buckets, objectStoreSettings } from '@inventory/object-store';
import { baseSettings, kafkaSettings, redisSettings, topicSettings } from '@inventory/service';
import { Cron } from 'croner';

const minute = 60_000;

const cron = z.string().refine(
  (value) => {
    try {
      new Cron(value, { paused: true, timezone: 'UTC' }).stop();
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a cron expression (minute hour day-of-month month day-of-week)' },
);

export const shape = {
  ...baseSettings({ httpPort: 19180 }),
  ...kafkaSettings({ clientId: 'stock-reconciliation' }),
  ...redisSettings,
  /**
   * EVENTS_TOPIC takes the corrections as COUNT events, so that the aggregator stays the only writer of state.
   */
  ...topicSettings({ EVENTS: 'events' }),
  /** Job records, the lease, the audit trail of corrections and discontinued skus. */
  POSTGRES_URL: setting.string(),
  POSTGRES_SCHEMA: setting.sqlIdentifier().default('reconciliation'),
  /** Base URL of the ERP's API: GET /inventory. */
  ERP_URL: setting.url(),
  /** The ERP's bearer token, or ERP_TOKEN_FILE naming a file holding it (a mounted secret). */
  ...secretSetting('ERP_TOKEN'),
  /** Waits before each retry of GET /inventory (so 1 + this many attempts). */
  ERP_RETRY_DELAYS_MS: setting.delaysMs(10).default([5_000, 15_000, 45_000]),
  ERP_TIMEOUT_MS: setting.positiveInt().default(5 * minute),
  /** Raw payloads are archived here under inventory-sync/YYYY-MM-DD/ (S3 API, `RECON_S3_*`). */
  ...objectStoreSettings,
  ARCHIVE_BUCKET: setting.string().default(buckets.erpArchive),
  /** Archives older than this many days are deleted (a lifecycle rule where the store has them, and the job). */
  ARCHIVE_RETENTION_DAYS: setting.positiveInt().default(30),
  /** Retries of an archive the store does not take (away, failing), with capped exponential backoff from ... */
  ARCHIVE_RETRIES: setting.nonNegativeInt().default(5),
  /** ... this first wait (at most 30 s each). */
  ARCHIVE_RETRY_INITIAL_MS: setting.positiveInt().default(1_000),
  /** When the service runs the job (UTC), default 02:00 every day. */
  SCHEDULE: cron.default('0 2 * * *'),
  JOB_TIMEOUT_MS: setting.positiveInt().default(30 * minute),
  /** Slack-compatible incoming webhook; unset: alerts are only logged. */
  ALERT_WEBHOOK_URL: setting.url().optional(),
  ALERT_CHANGED_ITEMS: setting.positiveInt().default(10_000),
  ALERT_DURATION_MS: setting.positiveInt().default(15 * minute),
  /** Shown in alerts, to tell environments apart. */
  ENVIRONMENT: setting.string().default('local'),
};

export type ReconciliationConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseReconciliationConfig(env: Record<string, string | undefined>): ReconciliationConfig {
  return parseSettings(shape, env, { prefix: 'RECON_' });
}
