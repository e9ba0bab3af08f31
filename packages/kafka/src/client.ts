import type { Logger } from '@inventory/core';
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  ssl?: boolean;
  sasl?: SASLOptions;
  /** Upper bound for establishing a connection and for a single request. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  logger?: Logger;
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * One way to build a kafkajs client. Retries use kafkajs' own exponential backoff with
 * jitter (randomisation factor), capped, so a broker restart is ridden out but a dead
 * cluster surfaces as an error within seconds instead of minutes.
 */
export function createKafka(options: KafkaClientOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000, factor: 0.2, multiplier: 2 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const logger = options.logger;
      if (!logger) return;
      const { message, ...rest } = entry.log;
      logger[levels[entry.level] ?? 'info']({ kafka: entry.namespace, ...rest }, message);
    },
  };
  if (options.ssl) config.ssl = true;
  if (options.sasl) config.sasl = options.sasl;
  return new Kafka(config);
}
