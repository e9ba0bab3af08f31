import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashToken } from '@inventory/core';
import { kafkaSettingsEnv } from '@inventory/kafka';
import { demoMovements, movementPayload, publish } from '@inventory/mainframe-tools';
import { connectorConfig, registerConnector } from '@inventory/sap-tools/connector';
import { loadPlants, plantsFile, postGoodsMovement, setupSchema, withSap } from '@inventory/sap-tools/sap';
import type { StackEndpoints } from './endpoints.ts';

export const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const erpUrl = 'http://127.0.0.1:19160';

/** What a local app's settings are made of: the running stack, its folder, the committed dev credentials. */
export interface LocalContext {
  endpoints: Required<
    Pick<
      StackEndpoints,
      | 'KAFKA_BROKERS'
      | 'REDIS_URL'
      | 'REDIS_AGGREGATOR_URL'
      | 'REDIS_QUERY_API_URL'
      | 'REDIS_RECONCILIATION_URL'
      | 'AMQP_URL'
    >
  > &
    StackEndpoints;
  home: string;
  credentials: DevCredentials;
}

interface DevCredentials {
  storeIngest: { clientId: string; token: string; locationIds: string[] }[];
  queryApi: { keyId: string; key: string; scopes: string[] }[];
  erp: { token: string };
  alerts: { webhookPath: string };
}

export function devCredentials(): DevCredentials {
  return JSON.parse(
    readFileSync(join(repoRoot, 'deploy/local/dev-credentials.json'), 'utf8'),
  ) as DevCredentials;
}

/** One app (or tool) that `npm start` runs against the local stack. */
export interface LocalApp {
  name: string;
  /** Its folder, relative to the repository. */
  dir: string;
  /** Its entry point, relative to its folder, and the arguments it takes locally. */
  main: string;
  args?: string[];
  /** Where to look once it runs. */
  url: string;
  /** Answers 200 once it is ready (its /readyz). */
  ready: string;
  /** Its settings locally (a deployment sets the same ones from its manifests). */
  env(ctx: LocalContext): Record<string, string>;
  /** Demo data it needs before it starts (put on its source as the source system would). */
  prepare?(ctx: LocalContext): Promise<void>;
}

/** The stack's object store under an app's prefix (`LAKE_S3_ENDPOINT`, ...). */
const objectStore = (prefix: string, ctx: LocalContext): Record<string, string> =>
  ctx.endpoints.S3_ENDPOINT
    ? {
        [`${prefix}_S3_ENDPOINT`]: ctx.endpoints.S3_ENDPOINT,
        [`${prefix}_S3_ACCESS_KEY_ID`]: ctx.endpoints.S3_ACCESS_KEY_ID as string,
        [`${prefix}_S3_SECRET_ACCESS_KEY`]: ctx.endpoints.S3_SECRET_ACCESS_KEY as string,
      }
    : {};

const registry = (prefix: string, ctx: LocalContext): Record<string, string> =>
  ctx.endpoints.SCHEMA_REGISTRY_URL
    ? { [`${prefix}_SCHEMA_REGISTRY_URL`]: ctx.endpoints.SCHEMA_REGISTRY_URL }
    : {};

/** A file of the stack's folder holding hashes of the dev credentials (0600). */
function hashedFile(ctx: LocalContext, name: string, content: unknown): string {
  const file = join(ctx.home, name);
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/**
 * The local launchers, one table: the ERP simulator first (the apps deliver to it), then the
 * apps in the order data flows through them.
 */
export const localApps: LocalApp[] = [
  {
    name: 'erp-simulator',
    dir: 'tools/erp-simulator',
    main: 'src/cli.ts',
    args: ['--demo'],
    url: `${erpUrl}/_admin/stats`,
    ready: `${erpUrl}/_admin/stats`,
    env: () => ({}),
  },
  {
    name: 'store-ingest',
    dir: 'apps/store-ingest',
    main: 'src/main.ts',
    url: 'http://127.0.0.1:19100/docs',
    ready: 'http://127.0.0.1:19100/readyz',
    env: (ctx) => ({
      ...kafkaSettingsEnv(ctx.endpoints, 'INGEST', 'store-ingest'),
      ...registry('INGEST', ctx),
      // The development clients include the load generator's central replay client, which
      // the benchmarks drive at what the machine takes: the per-client events limit of a
      // store (2 000/s by default) would measure the limit, not the platform.
      INGEST_EVENTS_RATE_PER_SECOND: '100000',
      INGEST_EVENTS_RATE_BURST: '200000',
      INGEST_TOKENS_FILE: hashedFile(ctx, 'store-ingest-tokens.json', {
        clients: ctx.credentials.storeIngest.map(({ clientId, token, locationIds }) => ({
          clientId,
          tokenSha256: hashToken(token),
          locationIds,
        })),
      }),
    }),
  },
  {
    name: 'mq-bridge',
    dir: 'apps/mq-bridge',
    main: 'src/main.ts',
    url: 'http://127.0.0.1:19130/metrics',
    ready: 'http://127.0.0.1:19130/readyz',
    env: (ctx) => ({
      ...kafkaSettingsEnv(ctx.endpoints, 'MQ', 'mq-bridge'),
      MQ_AMQP_URL: ctx.endpoints.AMQP_URL,
      ...registry('MQ', ctx),
    }),
    // The day's demo movements, as the mainframe puts them on the queue.
    prepare: (ctx) =>
      publish(ctx.endpoints.AMQP_URL, 'mainframe.stock-movements', demoMovements().map(movementPayload)),
  },
  {
    name: 'sap-normalizer',
    dir: 'apps/sap-normalizer',
    main: 'src/main.ts',
    url: 'http://127.0.0.1:19140/metrics',
    ready: 'http://127.0.0.1:19140/readyz',
    env: (ctx) => ({
      ...kafkaSettingsEnv(ctx.endpoints, 'SAP', 'sap-normalizer'),
      SAP_PLANTS_FILE: plantsFile(),
      ...registry('SAP', ctx),
    }),
    // The SAP tables and publication, the Debezium connector (running), a few goods movements.
    async prepare(ctx) {
      const sapUrl = ctx.endpoints.POSTGRES_SAP_URL as string;
      await setupSchema(sapUrl);
      await registerConnector(ctx.endpoints.CONNECT_URL ?? 'http://127.0.0.1:19083', connectorConfig(sapUrl));
      const plants = loadPlants();
      await withSap(sapUrl, async (client) => {
        for (const [i, place] of plants.storageLocations.entries())
          await postGoodsMovement(client, plants.client, [
            { matnr: 'SKU-2001', werks: place.werks, lgort: place.lgort, quantity: 25 + i },
          ]);
      });
    },
  },
  {
    name: 'inventory-aggregator',
    dir: 'apps/inventory-aggregator',
    main: 'src/main.ts',
    url: 'http://127.0.0.1:19110/metrics',
    ready: 'http://127.0.0.1:19110/readyz',
    env: (ctx) => ({
      ...kafkaSettingsEnv(ctx.endpoints, 'AGG', 'inventory-aggregator'),
      // Each app as its own Redis user, allowed only its keys (read-model acl.ts).
      AGG_REDIS_URL: ctx.endpoints.REDIS_AGGREGATOR_URL,
      ...registry('AGG', ctx),
    }),
  },
  {
    name: 'inventory-query-api',
    dir: 'apps/inventory-query-api',
    main: 'src/main.ts',
    url: 'http://127.0.0.1:19120/docs',
    ready: 'http://127.0.0.1:19120/readyz',
    env: (ctx) => ({
      ...kafkaSettingsEnv(ctx.endpoints, 'QUERY', 'inventory-query-api'),
      QUERY_REDIS_URL: ctx.endpoints.REDIS_QUERY_API_URL,
      ...registry('QUERY', ctx),
      QUERY_API_KEYS_FILE: hashedFile(ctx, 'query-api-keys.json', {
        keys: ctx.credentials.queryApi.map(({ keyId, key, scopes }) => ({
          keyId,
          keySha256: hashToken(key),
          scopes,
        })),
      }),
    }),
  },
  {
    name: 'erp-delivery',
    dir: 'apps/erp-delivery',
    main: 'src/main.ts',
    url: 'http://127.0.0.1:19170/metrics',
    ready: 'http://127.0.0.1:19170/readyz',
    env: (ctx) => ({
      ...kafkaSettingsEnv(ctx.endpoints, 'DELIVERY', 'erp-delivery'),
      ...registry('DELIVERY', ctx),
      DELIVERY_POSTGRES_URL: ctx.endpoints.POSTGRES_INVENTORY_URL as string,
      DELIVERY_ERP_URL: erpUrl,
      DELIVERY_SUPPLIER_API_URL: erpUrl,
      DELIVERY_ERP_TOKEN: ctx.credentials.erp.token,
      DELIVERY_SUPPLIER_TOKEN: ctx.credentials.erp.token,
      DELIVERY_SUPPLIERS_FILE: join(repoRoot, 'deploy/local/seed/suppliers.json'),
    }),
  },
  {
    name: 'lake-sink',
    dir: 'apps/lake-sink',
    main: 'src/main.ts',
    url: 'http://127.0.0.1:19150/metrics',
    ready: 'http://127.0.0.1:19150/readyz',
    // The lake is the stack's bucket inventory-lake; `npm run lake:query` reads it through a
    // local copy in the stack's folder `lake-cache/` (git-ignored).
    env: (ctx) => ({
      ...kafkaSettingsEnv(ctx.endpoints, 'LAKE', 'lake-sink'),
      LAKE_TARGET: 's3',
      ...objectStore('LAKE', ctx),
      LAKE_QUERY_CACHE: join(ctx.home, 'lake-cache'),
      ...registry('LAKE', ctx),
    }),
  },
  {
    name: 'stock-reconciliation',
    dir: 'apps/stock-reconciliation',
    main: 'src/main.ts',
    url: 'http://127.0.0.1:19180/metrics',
    ready: 'http://127.0.0.1:19180/readyz',
    env: (ctx) => ({
      ...kafkaSettingsEnv(ctx.endpoints, 'RECON', 'stock-reconciliation'),
      RECON_REDIS_URL: ctx.endpoints.REDIS_RECONCILIATION_URL,
      RECON_POSTGRES_URL: ctx.endpoints.POSTGRES_INVENTORY_URL as string,
      ...registry('RECON', ctx),
      RECON_ERP_URL: erpUrl,
      RECON_ERP_TOKEN: ctx.credentials.erp.token,
      ...objectStore('RECON', ctx),
      RECON_ALERT_WEBHOOK_URL: `${erpUrl}${ctx.credentials.alerts.webhookPath}`,
    }),
  },
  {
    name: 'console',
    dir: 'apps/console',
    main: 'src/main.ts',
    url: 'http://127.0.0.1:19190/',
    ready: 'http://127.0.0.1:19190/readyz',
    env: (ctx) => ({
      CONSOLE_QUERY_API_URL: 'http://127.0.0.1:19120',
      ...(ctx.endpoints.PROMETHEUS_URL ? { CONSOLE_PROMETHEUS_URL: ctx.endpoints.PROMETHEUS_URL } : {}),
    }),
    // The page is built from the current sources on every start (a few seconds), so what is
    // served is what is checked out.
    prepare: async () => {
      execFileSync(join(repoRoot, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
        cwd: join(repoRoot, 'apps/console'),
        stdio: 'inherit',
      });
    },
  },
];
