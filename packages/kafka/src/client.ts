import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '@inventory/core';
import {
  type Consumer,
  type ConsumerConfig,
  Kafka,
  type KafkaConfig,
  logLevel,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
// Corrects kafkajs' request queue timer for every client of the process (request-queue.ts).
import './request-queue.ts';
import { murmur2Partitioner } from './partitioner.ts';

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  /** TLS to the brokers: true for the system's CAs, or the options (a cluster's own CA). */
  ssl?: boolean | ConnectionOptions;
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
  if (options.ssl) config.ssl = options.ssl;
  if (options.sasl) config.sasl = options.sasl;
  return new Kafka(config);
}

export interface ProducerOptions {
  /** A transactional producer (the aggregator's per-partition writers). */
  transactionalId?: string;
  transactionTimeoutMs?: number;
}

/**
 * The platform's one producer configuration:
 * - murmur2 partitioning like the Java client, so a sku lands in the same partition whoever
 *   produces it (the read model's `{p<n>}` and the co-partitioned topics rely on it);
 * - idempotent with one request in flight, so retries neither duplicate nor reorder;
 * - retries unbounded (kafkajs' default for idempotence): a bounded retry count could give
 *   up between two attempts of one sequence. Callers bound the wait with their own
 *   deadline (a timeout answered 503, a batch held and retried), never by giving up here.
 */
export function createProducer(kafka: Kafka, options: ProducerOptions = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: murmur2Partitioner,
    allowAutoTopicCreation: false,
    // Over the client's bounded retries (createKafka): the backoff stays theirs, the count does not.
    retry: { retries: Number.MAX_SAFE_INTEGER },
    ...(options.transactionalId === undefined
      ? {}
      : { transactionalId: options.transactionalId, transactionTimeout: options.transactionTimeoutMs }),
  });
}

export interface ConsumerOptions {
  groupId: string;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long the group waits for members to rejoin; must outlast the longest batch. */
  rebalanceTimeoutMs?: number;
  maxBytesPerPartition?: number;
  maxWaitTimeMs?: number;
  /**
   * The least a fetch answers with, unless maxWaitTimeMs passes first (1 byte by default:
   * every fetch answers at once). A consumer that need not be fresh within a second asks for
   * more, so that under live traffic the broker answers fewer, larger fetches.
   */
  minBytes?: number;
  partitionAssigners?: ConsumerConfig['partitionAssigners'];
}

/**
 * The platform's one consumer configuration: only committed records (read_committed, so an
 * aborted transaction of the aggregator is never seen), no topic created by subscribing
 * (topics come from the catalog), heartbeats at a third of the session timeout.
 */
export function consumerConfig(options: ConsumerOptions): ConsumerConfig {
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  return {
    groupId: options.groupId,
    sessionTimeout,
    heartbeatInterval: options.heartbeatIntervalMs ?? Math.max(500, Math.floor(sessionTimeout / 3)),
    readUncommitted: false,
    allowAutoTopicCreation: false,
    ...(options.rebalanceTimeoutMs === undefined ? {} : { rebalanceTimeout: options.rebalanceTimeoutMs }),
    ...(options.maxBytesPerPartition === undefined
      ? {}
      : { maxBytesPerPartition: options.maxBytesPerPartition }),
    ...(options.maxWaitTimeMs === undefined ? {} : { maxWaitTimeInMs: options.maxWaitTimeMs }),
    ...(options.minBytes === undefined ? {} : { minBytes: options.minBytes }),
    ...(options.partitionAssigners === undefined ? {} : { partitionAssigners: options.partitionAssigners }),
  };
}

export function createConsumer(kafka: Kafka, options: ConsumerOptions): Consumer {
  return kafka.consumer(consumerConfig(options));
}
