import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InventoryError } from '@inventory/core';
import type { KafkaClientOptions } from './client.ts';

/**
 * How a program reaches a cluster, as the local stack describes its own in endpoints.json:
 * the brokers and, when the broker is secured, its CA, the mechanism, an administrator's
 * credentials and the folder of every principal's password file.
 */
export interface KafkaConnection {
  KAFKA_BROKERS: string;
  KAFKA_TLS?: string;
  KAFKA_CA_FILE?: string;
  KAFKA_SASL_MECHANISM?: string;
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
  /** One file per principal (an app's name, kafka-connect, master-data, admin) holding its password. */
  KAFKA_PASSWORD_DIR?: string;
}

const secured = (connection: KafkaConnection): boolean => connection.KAFKA_TLS === 'true';

function passwordFile(connection: KafkaConnection, principal: string): string {
  if (!connection.KAFKA_PASSWORD_DIR)
    throw new InventoryError('CONFIG_INVALID', `no password folder to connect to Kafka as ${principal}`);
  return join(connection.KAFKA_PASSWORD_DIR, principal);
}

/**
 * An app's Kafka settings under its prefix (`INGEST_KAFKA_BROKERS`, ...) as `principal`, its
 * password by file: what its manifests set from a mounted Secret. Without a principal, as
 * the connection's administrator.
 */
export function kafkaSettingsEnv(
  connection: KafkaConnection,
  prefix: string,
  principal?: string,
): Record<string, string> {
  const env: Record<string, string> = { [`${prefix}_KAFKA_BROKERS`]: connection.KAFKA_BROKERS };
  if (!secured(connection)) return env;
  const username = principal ?? connection.KAFKA_SASL_USERNAME ?? '';
  return {
    ...env,
    [`${prefix}_KAFKA_TLS`]: 'true',
    ...(connection.KAFKA_CA_FILE ? { [`${prefix}_KAFKA_CA_FILE`]: connection.KAFKA_CA_FILE } : {}),
    [`${prefix}_KAFKA_SASL_MECHANISM`]: connection.KAFKA_SASL_MECHANISM ?? 'scram-sha-512',
    [`${prefix}_KAFKA_SASL_USERNAME`]: username,
    [`${prefix}_KAFKA_SASL_PASSWORD_FILE`]: passwordFile(connection, username),
  };
}

/** A kafkajs client's brokers, TLS and SASL as `principal` (default: the connection's administrator). */
export function kafkaClientOptionsFor(
  connection: KafkaConnection,
  principal?: string,
): Pick<KafkaClientOptions, 'brokers' | 'ssl' | 'sasl'> {
  const brokers = connection.KAFKA_BROKERS.split(',');
  if (!secured(connection)) return { brokers };
  const username = principal ?? connection.KAFKA_SASL_USERNAME ?? '';
  // The administrator's password is in the connection itself; any principal's is in its file.
  const given = username === connection.KAFKA_SASL_USERNAME ? connection.KAFKA_SASL_PASSWORD : undefined;
  const password = given ?? readFileSync(passwordFile(connection, username), 'utf8').trim();
  return {
    brokers,
    ssl: connection.KAFKA_CA_FILE ? { ca: [readFileSync(connection.KAFKA_CA_FILE, 'utf8')] } : true,
    sasl: { mechanism: 'scram-sha-512', username, password },
  };
}
