import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InventoryError } from '@inventory/core';
import type { KafkaConnection } from '@inventory/kafka';
import { buckets, s3Uri } from '@inventory/object-store';
import type { Component, StackContext } from './component.ts';
import { connectUrl } from './components/connect.ts';
import { kafkaEndpoints } from './components/kafka-security.ts';
import { postgresUrl } from './components/postgres.ts';
import { prometheusTargetsDir, prometheusUrl } from './components/prometheus.ts';
import { amqpUrl } from './components/rabbitmq.ts';
import { redisUrl, redisUrlAs } from './components/redis.ts';
import { redisClusterUrl } from './components/redis-cluster.ts';
import { registryUrl } from './components/registry.ts';
import { s3Endpoint } from './components/s3.ts';

/** Where the running stack answers, with credentials: what apps and tests connect to. */
/**
 * Kafka's part (packages/kafka connection.ts): on a secured broker (the default), TLS with the
 * stack's CA and SCRAM-SHA-512 as its administrator, and every principal's password file.
 */
export interface StackEndpoints extends Partial<KafkaConnection> {
  SCHEMA_REGISTRY_URL?: string;
  /** Redis as its administrator (tools, tests' checks); each app connects as its own user: */
  REDIS_URL?: string;
  /** The apps' own users of the single Redis (read-model acl.ts), with their passwords. */
  REDIS_AGGREGATOR_URL?: string;
  REDIS_QUERY_API_URL?: string;
  REDIS_RECONCILIATION_URL?: string;
  /** The Redis Cluster (a `redis-cluster://` URL naming some of its nodes), when started. */
  REDIS_CLUSTER_URL?: string;
  POSTGRES_SAP_URL?: string;
  POSTGRES_INVENTORY_URL?: string;
  AMQP_URL?: string;
  CONNECT_URL?: string;
  /** The object store (S3 API, path-style) and its key pair. */
  S3_ENDPOINT?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  /** Where the data lake and the ERP archive are in it. */
  S3_LAKE_URI?: string;
  S3_ERP_ARCHIVE_URI?: string;
  /** Prometheus' HTTP API, and the folder of file_sd target files it watches. */
  PROMETHEUS_URL?: string;
  PROMETHEUS_TARGETS_DIR?: string;
}

export function stackEndpoints(ctx: StackContext, components: Component[]): StackEndpoints {
  const has = (name: string) => components.some((c) => c.name === name);
  const endpoints: StackEndpoints = {};
  if (has('kafka')) Object.assign(endpoints, kafkaEndpoints(ctx));
  if (has('registry')) endpoints.SCHEMA_REGISTRY_URL = registryUrl(ctx);
  if (has('redis')) {
    endpoints.REDIS_URL = redisUrl(ctx);
    endpoints.REDIS_AGGREGATOR_URL = redisUrlAs(ctx, 'inventory-aggregator');
    endpoints.REDIS_QUERY_API_URL = redisUrlAs(ctx, 'inventory-query-api');
    endpoints.REDIS_RECONCILIATION_URL = redisUrlAs(ctx, 'stock-reconciliation');
  }
  if (has('redis-cluster')) endpoints.REDIS_CLUSTER_URL = redisClusterUrl(ctx);
  if (has('postgres')) {
    endpoints.POSTGRES_SAP_URL = postgresUrl(ctx, 'sap');
    endpoints.POSTGRES_INVENTORY_URL = postgresUrl(ctx, 'inventory');
  }
  if (has('rabbitmq')) endpoints.AMQP_URL = amqpUrl(ctx);
  if (has('connect')) endpoints.CONNECT_URL = connectUrl(ctx);
  if (has('s3')) {
    endpoints.S3_ENDPOINT = s3Endpoint(ctx);
    endpoints.S3_ACCESS_KEY_ID = ctx.secrets.s3AccessKeyId;
    endpoints.S3_SECRET_ACCESS_KEY = ctx.secrets.s3SecretAccessKey;
    endpoints.S3_LAKE_URI = s3Uri(buckets.lake, '');
    endpoints.S3_ERP_ARCHIVE_URI = s3Uri(buckets.erpArchive, 'inventory-sync/');
  }
  if (has('prometheus')) {
    endpoints.PROMETHEUS_URL = prometheusUrl(ctx);
    endpoints.PROMETHEUS_TARGETS_DIR = prometheusTargetsDir(ctx);
  }
  return endpoints;
}

const endpointsFile = (home: string) => join(home, 'endpoints.json');

/** endpoints.json for programs, stack.env for shells; both 0600 as they hold passwords. */
export function writeEndpointFiles(ctx: StackContext, endpoints: StackEndpoints): void {
  writeFileSync(endpointsFile(ctx.settings.HOME), `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
  const lines = Object.entries(endpoints).map(([k, v]) => `${k}='${v}'`);
  writeFileSync(join(ctx.settings.HOME, 'stack.env'), `${lines.join('\n')}\n`, { mode: 0o600 });
}

export function readEndpoints(home: string): StackEndpoints {
  const file = endpointsFile(home);
  if (!existsSync(file)) {
    throw new InventoryError(
      'STACK_NOT_RUNNING',
      `no ${file}: start the local stack with \`npm run stack -- up\``,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as StackEndpoints;
}
