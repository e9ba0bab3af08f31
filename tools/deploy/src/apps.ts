import { shape as deliverySettings, parseDeliveryConfig } from '@inventory/erp-delivery/config';
import { shape as aggregatorSettings, parseAggregatorConfig } from '@inventory/inventory-aggregator/config';
import { parseQueryConfig, shape as querySettings } from '@inventory/inventory-query-api/config';
import { type AppName, topicNames } from '@inventory/kafka';
import { shape as lakeSettings, parseLakeConfig } from '@inventory/lake-sink/config';
import { shape as bridgeSettings, parseBridgeConfig } from '@inventory/mq-bridge/config';
import { shape as normalizerSettings, parseNormalizerConfig } from '@inventory/sap-normalizer/config';
import {
  parseReconciliationConfig,
  shape as reconciliationSettings,
} from '@inventory/stock-reconciliation/config';
import { shape as ingestSettings, parseIngestConfig } from '@inventory/store-ingest/config';
import type { SettingsShape } from './settings.ts';

/**
 * How an app scales: HTTP apps on CPU (HorizontalPodAutoscaler), Kafka consumers on their
 * group's lag (KEDA, at most one replica per partition: more would idle), or a fixed count
 * where more instances would break a guarantee.
 */
export type Scaling =
  | { kind: 'cpu' }
  | { kind: 'lag'; triggers: { group: string; topic: string }[] }
  | { kind: 'fixed'; why: string };

/** A setting that names a file: the file is mounted from a key of a Secret or a ConfigMap. */
export interface FileSource {
  secret?: string;
  configMap?: string;
  key: string;
}

/** A setting read from a key of a Secret or a ConfigMap into the environment. */
export interface EnvSource {
  secret?: string;
  configMap?: string;
  key: string;
  optional?: boolean;
}

export interface AppDeployment {
  name: AppName;
  /** The prefix of its settings (INGEST_ for INGEST_KAFKA_BROKERS). */
  prefix: string;
  shape: SettingsShape;
  /** The app's own parsing of its settings (config.ts), as main runs it. */
  parse: (env: Record<string, string | undefined>) => unknown;
  /** The entry point in its image (dist/<entry>.js) and its folder in the repository. */
  dir: string;
  /** Answers clients over HTTP (a Service on port 80, a pause before the stop so endpoints drain). */
  api: boolean;
  scaling: Scaling;
  /** Requests; memory is also the limit (a Node heap grows to what it may). */
  resources: { cpu: string; memory: string };
  /** Settings given a value for Kubernetes beyond their defaults (not secret, not per site). */
  values: Record<string, string>;
  env: Record<string, EnvSource>;
  files: Record<string, FileSource>;
}

/** Names of the objects the apps read, created by the operator or by Strimzi (deploy/k8s/README.md). */
export const objects = {
  clusterCa: 'inventory-cluster-ca-cert',
  redis: 'redis-auth',
  postgres: 'postgres-auth',
  site: 'inventory-site',
  erp: 'erp-api',
  alerts: 'alert-webhook',
  mq: 'mq-auth',
  ingestTokens: 'store-ingest-tokens',
  queryKeys: 'query-api-keys',
  plants: 'sap-plants',
  suppliers: 'erp-suppliers',
  objectStore: 'object-store',
} as const;

/**
 * The lake and the ERP archive on object storage: on AWS the pods' role (IRSA) gives the
 * credentials and the SDK finds the endpoint (virtual-hosted style); another S3-compatible
 * store sets its endpoint in the site ConfigMap and a key pair in the `object-store` Secret.
 */
const onObjectStore = {
  values: { S3_FORCE_PATH_STYLE: 'false' },
  env: (_prefix: string): Record<string, EnvSource> => ({
    S3_ENDPOINT: { configMap: objects.site, key: 's3-endpoint', optional: true },
    S3_ACCESS_KEY_ID: { secret: objects.objectStore, key: 'access-key-id', optional: true },
    S3_SECRET_ACCESS_KEY: { secret: objects.objectStore, key: 'secret-access-key', optional: true },
  }),
};

export const apps: AppDeployment[] = [
  {
    name: 'store-ingest',
    prefix: 'INGEST_',
    shape: ingestSettings,
    parse: parseIngestConfig,
    dir: 'apps/store-ingest',
    api: true,
    scaling: { kind: 'cpu' },
    resources: { cpu: '500m', memory: '512Mi' },
    values: {},
    env: {},
    files: { TOKENS_FILE: { secret: objects.ingestTokens, key: 'tokens.json' } },
  },
  {
    name: 'mq-bridge',
    prefix: 'MQ_',
    shape: bridgeSettings,
    parse: parseBridgeConfig,
    dir: 'apps/mq-bridge',
    api: false,
    scaling: {
      kind: 'fixed',
      why: "one batch in flight keeps Kafka's order the queue's order; a second consumer would interleave",
    },
    resources: { cpu: '250m', memory: '384Mi' },
    values: {},
    env: { AMQP_URL: { secret: objects.mq, key: 'amqp-url' } },
    files: {},
  },
  {
    name: 'sap-normalizer',
    prefix: 'SAP_',
    shape: normalizerSettings,
    parse: parseNormalizerConfig,
    dir: 'apps/sap-normalizer',
    api: false,
    scaling: { kind: 'lag', triggers: [{ group: 'sap-normalizer', topic: topicNames.sapRaw }] },
    resources: { cpu: '250m', memory: '384Mi' },
    values: {},
    env: {},
    files: { PLANTS_FILE: { configMap: objects.plants, key: 'sap-plants.json' } },
  },
  {
    name: 'inventory-aggregator',
    prefix: 'AGG_',
    shape: aggregatorSettings,
    parse: parseAggregatorConfig,
    dir: 'apps/inventory-aggregator',
    api: false,
    scaling: {
      kind: 'lag',
      triggers: [
        { group: 'inventory-aggregator', topic: topicNames.events },
        { group: 'inventory-aggregator', topic: topicNames.reservationCommands },
      ],
    },
    resources: { cpu: '1', memory: '1Gi' },
    // The read model is a Redis Cluster with a replica per primary (stores.ts): a reservation
    // decided is told once a replica holds it, so a failover cannot forget it.
    values: { RESERVATION_REPLICAS: '1' },
    env: {},
    // Its own Redis user's URL (read-model acl.ts), a mounted file of the redis-auth Secret.
    files: { REDIS_URL_FILE: { secret: objects.redis, key: 'inventory-aggregator-url' } },
  },
  {
    name: 'inventory-query-api',
    prefix: 'QUERY_',
    shape: querySettings,
    parse: parseQueryConfig,
    dir: 'apps/inventory-query-api',
    api: true,
    scaling: { kind: 'cpu' },
    resources: { cpu: '500m', memory: '512Mi' },
    values: {},
    env: {},
    files: {
      REDIS_URL_FILE: { secret: objects.redis, key: 'inventory-query-api-url' },
      API_KEYS_FILE: { secret: objects.queryKeys, key: 'api-keys.json' },
    },
  },
  {
    name: 'erp-delivery',
    prefix: 'DELIVERY_',
    shape: deliverySettings,
    parse: parseDeliveryConfig,
    dir: 'apps/erp-delivery',
    api: false,
    scaling: {
      kind: 'lag',
      triggers: [
        { group: 'erp-delivery', topic: topicNames.purchaseOrders },
        { group: 'erp-delivery', topic: topicNames.soldQuantities },
        { group: 'erp-delivery-sold-quantities', topic: topicNames.events },
      ],
    },
    resources: { cpu: '250m', memory: '384Mi' },
    values: {},
    env: {
      ERP_URL: { configMap: objects.site, key: 'erp-url' },
      SUPPLIER_API_URL: { configMap: objects.site, key: 'supplier-api-url' },
      POSTGRES_URL: { secret: objects.postgres, key: 'erp-delivery-url' },
    },
    files: {
      ERP_TOKEN_FILE: { secret: objects.erp, key: 'erp-token' },
      SUPPLIER_TOKEN_FILE: { secret: objects.erp, key: 'supplier-token' },
      SUPPLIERS_FILE: { configMap: objects.suppliers, key: 'suppliers.json' },
    },
  },
  {
    name: 'stock-reconciliation',
    prefix: 'RECON_',
    shape: reconciliationSettings,
    parse: parseReconciliationConfig,
    dir: 'apps/stock-reconciliation',
    api: false,
    scaling: {
      kind: 'fixed',
      why: 'its own UTC schedule and PostgreSQL lease run one job a night; a second replica would only be refused (and alert) every night',
    },
    resources: { cpu: '500m', memory: '1Gi' },
    values: { ...onObjectStore.values },
    env: {
      ...onObjectStore.env('RECON_'),
      ERP_URL: { configMap: objects.site, key: 'erp-url' },
      ENVIRONMENT: { configMap: objects.site, key: 'environment' },
      POSTGRES_URL: { secret: objects.postgres, key: 'stock-reconciliation-url' },
      ALERT_WEBHOOK_URL: { secret: objects.alerts, key: 'url', optional: true },
    },
    files: {
      REDIS_URL_FILE: { secret: objects.redis, key: 'stock-reconciliation-url' },
      ERP_TOKEN_FILE: { secret: objects.erp, key: 'erp-token' },
    },
  },
  {
    name: 'lake-sink',
    prefix: 'LAKE_',
    shape: lakeSettings,
    parse: parseLakeConfig,
    dir: 'apps/lake-sink',
    api: false,
    scaling: {
      kind: 'lag',
      triggers: [
        { group: 'lake-sink', topic: topicNames.events },
        { group: 'lake-sink', topic: topicNames.mqRaw },
        { group: 'lake-sink', topic: topicNames.sapRaw },
      ],
    },
    resources: { cpu: '500m', memory: '1Gi' },
    values: { ...onObjectStore.values },
    env: onObjectStore.env('LAKE_'),
    files: {},
  },
];

export function appDeployment(name: AppName): AppDeployment {
  const app = apps.find((a) => a.name === name);
  if (!app) throw new Error(`no deployment for app ${name}`);
  return app;
}
