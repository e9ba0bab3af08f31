import type { AvroCodec } from '@inventory/codec';
import { parseSettings, secretSetting, setting, type z } from '@inventory/config';
import type { Logger } from '@inventory/core';
import { InventoryError } from '@inventory/core';
import { defaultDedupPolicy } from '@inventory/domain';
import { deliveryRetryStages } from '@inventory/kafka';
import { baseSettings, kafkaSettings, topicSettings } from '@inventory/service';
import type { Kafka, Producer } from 'kafkajs';
import type { DeliveryMetrics } from './metrics.ts';

export const shape = {
  ...baseSettings({ httpPort: 19170 }),
  ...kafkaSettings({ clientId: 'erp-delivery' }),
  /** Consumer group of the first attempt; retry stage i uses `<GROUP_ID>-retry-<i>`. */
  GROUP_ID: setting.string().default('erp-delivery'),
  ...topicSettings({
    PURCHASE_ORDERS: 'purchaseOrders',
    SOLD_QUANTITIES: 'soldQuantities',
    DLQ: 'deliveryDeadLetter',
    EVENTS: 'events',
  }),
  /** Delay before each retry, in ms; one retry topic per entry, then the dead-letter topic. */
  RETRY_DELAYS_MS: setting.delaysMs(deliveryRetryStages).default([5_000, 15_000, 45_000]),
  /** Prefix of the retry topics' names (`<prefix><stage>.v1`); tests use their own. */
  RETRY_TOPIC_PREFIX: setting.string().default('inventory.erp-delivery.retry-'),
  /** Base URL of the ERP's API: POST /purchase-orders and /sold-quantities. */
  ERP_URL: setting.url(),
  /** The ERP's bearer token, or ERP_TOKEN_FILE naming a file holding it (a mounted secret). */
  ...secretSetting('ERP_TOKEN'),
  /** Base URL of the suppliers' API (POST /suppliers/<id>/sold-quantities); unset: suppliers get nothing. */
  SUPPLIER_API_URL: setting.url().optional(),
  ...secretSetting('SUPPLIER_TOKEN', { required: false }),
  /** One HTTP call's deadline; a timeout is retriable. */
  REQUEST_TIMEOUT_MS: setting.positiveInt().default(10_000),
  /** Deliveries of one batch in flight at once (order between records does not matter: each is keyed). */
  CONCURRENCY: setting.positiveInt().default(16),
  SESSION_TIMEOUT_MS: setting.positiveInt().default(30_000),
  /** Sold-quantity summaries: computed here from the canonical stream unless turned off. */
  SUMMARIZE: setting.boolean().default(true),
  SUMMARY_GROUP_ID: setting.string().default('erp-delivery-sold-quantities'),
  /**
   * The summarizer's fetch answers once it holds this much or SUMMARY_FETCH_MAX_WAIT_MS has
   * passed: periods close an hour at a time, so under live traffic it takes fewer, larger
   * batches (one PostgreSQL transaction each) instead of one per few events.
   */
  SUMMARY_FETCH_MIN_BYTES: setting.positiveInt().default(1024 * 1024),
  SUMMARY_FETCH_MAX_WAIT_MS: setting.positiveInt().default(500),
  /** PostgreSQL holding the open periods and the summarizer's offsets. */
  POSTGRES_URL: setting.string().optional(),
  /** Schema of the summarizer's tables (tests use their own). */
  POSTGRES_SCHEMA: setting.sqlIdentifier().default('erp_delivery'),
  /** Length of a sold-quantity period (default one hour). */
  PERIOD_MS: setting.positiveInt().default(60 * 60 * 1000),
  /** A period is closed and sent this long after its end; later sales count in the open period. */
  PERIOD_GRACE_MS: setting.nonNegativeInt().default(60_000),
  /** How often closed periods are looked for. */
  CLOSE_INTERVAL_MS: setting.positiveInt().default(5_000),
  /** Must equal the aggregator's AGG_DEDUP_HORIZON_MS: the same events are summed as are folded. */
  DEDUP_HORIZON_MS: setting.positiveInt().default(defaultDedupPolicy.horizonMs),
  /** Supplier master data (JSON: {"suppliers": [{"supplierId", "skuPrefixes": []}]}). */
  SUPPLIERS_FILE: setting.string().optional(),
};

export type DeliveryConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseDeliveryConfig(env: Record<string, string | undefined>): DeliveryConfig {
  const config = parseSettings(shape, env, { prefix: 'DELIVERY_' });
  const problems: string[] = [];
  if (config.SUMMARIZE && !config.POSTGRES_URL)
    problems.push('DELIVERY_POSTGRES_URL: missing required setting (or DELIVERY_SUMMARIZE=false)');
  if (problems.length > 0)
    throw new InventoryError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`);
  return config;
}

/** What both halves (orders delivered, sold quantities summed) run with. */
export interface DeliveryDeps {
  config: DeliveryConfig;
  kafka: Kafka;
  producer: Producer;
  codec: AvroCodec;
  metrics: DeliveryMetrics;
  logger: Logger;
  /** Stops the app with exit 1 (a consumer that crashed for good). */
  fail(error: unknown): void;
  now?: () => number;
}
