import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InventoryError } from '@inventory/core';
import { type KafkaConnection, kafkaClientOptionsFor, kafkaSettingsEnv } from '@inventory/kafka';

/** Connection strings of the running local stack, as `npm run stack -- up` wrote them. */
export interface StackEndpoints extends KafkaConnection {
  SCHEMA_REGISTRY_URL?: string;
  /** Redis as its administrator; the apps' own users (read-model acl.ts, prefix inv) below. */
  REDIS_URL: string;
  REDIS_AGGREGATOR_URL: string;
  REDIS_QUERY_API_URL: string;
  REDIS_RECONCILIATION_URL: string;
  /** The stack's Redis Cluster, when it was started with INVENTORY_STACK_REDIS_CLUSTER=true. */
  REDIS_CLUSTER_URL?: string;
  POSTGRES_SAP_URL: string;
  POSTGRES_INVENTORY_URL: string;
  AMQP_URL: string;
  CONNECT_URL?: string;
  S3_ENDPOINT: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
  /** The stack's Prometheus, and the folder of target files it scrapes (scrapedByPrometheus). */
  PROMETHEUS_URL?: string;
  PROMETHEUS_TARGETS_DIR?: string;
}

const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

export function stackHome(): string {
  return resolve(process.env.INVENTORY_STACK_HOME ?? join(repoRoot, '.stack'));
}

/**
 * The running stack's endpoints; `dataCentre` names another data centre of a stack started
 * with three (`up --dcs 3`: dc2 and dc3 in homes of their own under the first's).
 */
export function stackEndpoints(dataCentre?: string): StackEndpoints {
  const other = dataCentre !== undefined && dataCentre !== 'dc1';
  const file = join(stackHome(), ...(other ? [dataCentre] : []), 'endpoints.json');
  if (!existsSync(file)) {
    throw new InventoryError(
      'STACK_NOT_RUNNING',
      other
        ? `this test needs the stack's data centre ${dataCentre}: run \`npm test\` (starts three) or \`npm run stack -- up --dcs 3\` (no ${file})`
        : `integration tests need the local stack: run \`npm test\` (starts it) or \`npm run stack -- up\` (no ${file})`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as StackEndpoints;
}

/**
 * An app's settings for the stack's Kafka and registry, under its prefix (`AGG`, `INGEST`, ...):
 * where every app of a test reaches the broker, so that the way in is written once. As the
 * stack's administrator unless `principal` names an app: a test's app works on topics and
 * groups of the test's own names, which no app's ACLs grant; a test of the real process on
 * the catalog's topics runs it as itself.
 */
export function stackKafkaEnv(
  prefix: string,
  principal?: string,
  dataCentre?: string,
): Record<string, string> {
  // One schema registry for every data centre (the first's): a mirrored record's schema id
  // means the same schema wherever it is read.
  const registry = stackEndpoints().SCHEMA_REGISTRY_URL;
  return {
    ...kafkaSettingsEnv(stackEndpoints(dataCentre), prefix, principal),
    ...(registry ? { [`${prefix}_SCHEMA_REGISTRY_URL`]: registry } : {}),
  };
}

/** A kafkajs client's way into the stack's broker (of `dataCentre`): as its administrator, or as `principal`. */
export function stackKafkaOptions(principal?: string, dataCentre?: string) {
  return kafkaClientOptionsFor(stackEndpoints(dataCentre), principal);
}
