import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { readSecret } from '@inventory/config';
import { InventoryError } from '@inventory/core';
import type { SASLOptions } from 'kafkajs';
import type { KafkaSettings } from './settings.ts';

export interface KafkaSecurity {
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
}

/**
 * TLS and SASL of the app's Kafka client from its settings; the CA and the password files are
 * read here, once. A mechanism without its username or password fails by the settings' names
 * (without the app's prefix), never showing a value; SCRAM without TLS is refused, as it would
 * send the exchange in clear.
 */
export function kafkaSecurity(settings: KafkaSettings): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (settings.KAFKA_TLS)
    security.ssl = settings.KAFKA_CA_FILE ? { ca: [readFileSync(settings.KAFKA_CA_FILE, 'utf8')] } : true;
  else if (settings.KAFKA_CA_FILE) throw invalid(`KAFKA_CA_FILE is set but KAFKA_TLS is not true`);
  if (settings.KAFKA_SASL_MECHANISM === undefined) {
    if (settings.KAFKA_SASL_USERNAME !== undefined)
      throw invalid(`KAFKA_SASL_USERNAME is set but KAFKA_SASL_MECHANISM is not`);
    return security;
  }
  if (!settings.KAFKA_TLS) throw invalid(`KAFKA_SASL_MECHANISM needs KAFKA_TLS=true (SCRAM over plaintext)`);
  const password = readSecret(settings, 'KAFKA_SASL_PASSWORD');
  const missing = [
    settings.KAFKA_SASL_USERNAME === undefined ? `KAFKA_SASL_USERNAME` : undefined,
    password === undefined ? `KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE` : undefined,
  ].filter((name) => name !== undefined);
  if (missing.length > 0)
    throw invalid(`${missing.join(', ')}: missing required setting (KAFKA_SASL_MECHANISM is set)`);
  security.sasl = {
    mechanism: settings.KAFKA_SASL_MECHANISM,
    username: settings.KAFKA_SASL_USERNAME as string,
    password: password as string,
  };
  return security;
}

function invalid(message: string): InventoryError {
  return new InventoryError('CONFIG_INVALID', `invalid configuration: ${message}`);
}
