import { readFileSync } from 'node:fs';
import { type AvroCodec, createCodec } from '@inventory/codec';
import { readSecret } from '@inventory/config';
import { errorMessage, InventoryError, type Logger } from '@inventory/core';
import {
  type ConsumerOptions,
  createConsumer,
  createKafka,
  createProducer,
  LocationDirectory,
  type ProducerOptions,
} from '@inventory/kafka';
import { Cluster, Redis } from 'ioredis';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { type CrashContext, failOnFatalCrash } from './consumer-crash.ts';
import { kafkaSecurity } from './kafka-security.ts';
import { logRedisConnection } from './redis-connection-log.ts';
import { parseRedisTarget } from './redis-url.ts';
import type { Resources } from './resources.ts';
import type { KafkaSettings, RedisSettings } from './settings.ts';

/**
 * The app's Kafka client, named by its KAFKA_CLIENT_ID (broker logs and quotas tell apps apart),
 * with TLS and SASL when its settings ask for them (kafkaSecurity).
 */
export function kafkaOf(settings: KafkaSettings, logger: Logger): Kafka {
  return createKafka({
    clientId: settings.KAFKA_CLIENT_ID,
    brokers: settings.KAFKA_BROKERS,
    logger,
    ...kafkaSecurity(settings),
  });
}

/** The Avro codec against the app's registry (fingerprint ids without one). */
export function codecOf(settings: KafkaSettings): AvroCodec {
  return createCodec({ registryUrl: settings.SCHEMA_REGISTRY_URL });
}

/**
 * Longest a Redis command may wait for its answer before it fails. ioredis re-sends what a
 * lost connection left unanswered, and a pipeline cut off part-way through its answers is
 * never written again (ioredis#800): without a deadline its promise never settles, and a
 * step awaiting it waits for good. The platform's commands take milliseconds; the longest
 * wait is the aggregator's WAIT for replicas (AGG_REPLICA_WAIT_MS, at most 5 s).
 */
export const redisCommandTimeoutMs = 10_000;

export interface RedisOptions {
  lazyConnect?: boolean;
  /** PEM of the CA that signed the server's certificate (a `rediss` URL). */
  ca?: string;
  commandTimeoutMs?: number;
  /**
   * Commands sent while an event loop turn's I/O is handled go out together in one write
   * (ioredis' enableAutoPipelining), instead of one write each: for a server of many small
   * concurrent requests, each a command or two. Order holds only among commands sent this
   * way, so a client whose explicit pipelines or MULTI must keep their order against its
   * other commands (the aggregator's steps) leaves it off. A single server only: against a
   * Redis Cluster, ioredis batches by node and does not follow a failover's MOVED replies
   * within such a batch (ioredis#2075; the query API's failover test failed requests with
   * MOVED), so a cluster client sends each command as it comes.
   */
  autoPipelining?: boolean;
}

/**
 * A Redis client (one server, or a cluster by a `redis-cluster://` URL: redis-url.ts) that
 * fails a command after a few reconnection attempts instead of queueing it without bound,
 * and a command not answered within `commandTimeoutMs`: a request answers 503 and a batch is
 * retried, never waits forever. A cluster client reads
 * from primaries only (a replica may lag the state a step just wrote) and follows a failover
 * by its MOVED replies and a slots refresh. A `rediss` URL connects over TLS, verified against
 * `ca` (PEM) when given, else the system's CAs.
 */
export function redisOf(url: string, options: RedisOptions = {}): Redis | Cluster {
  const { ca, commandTimeoutMs = redisCommandTimeoutMs, autoPipelining = false, ...connection } = options;
  const target = parseRedisTarget(url);
  const tls = ca === undefined ? {} : { ca: [ca] };
  if (target.kind === 'single')
    return new Redis(url, {
      maxRetriesPerRequest: 3,
      commandTimeout: commandTimeoutMs,
      // An app's ACL user may run only its commands (read-model acl.ts), CLIENT SETINFO not among them.
      disableClientInfo: true,
      enableAutoPipelining: autoPipelining,
      ...connection,
      ...(url.startsWith('rediss:') ? { tls } : {}),
    });
  return new Cluster(target.nodes, {
    scaleReads: 'master',
    lazyConnect: connection.lazyConnect ?? false,
    slotsRefreshTimeout: 2_000,
    redisOptions: {
      maxRetriesPerRequest: 3,
      commandTimeout: commandTimeoutMs,
      disableClientInfo: true,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls } : {}),
    },
  });
}

/**
 * The app's Redis from its settings: REDIS_URL (or the file REDIS_URL_FILE names), as the
 * app's own ACL user; over TLS for a `rediss` URL, with REDIS_CA_FILE's CA. A CA without a
 * TLS URL is refused by the settings' names, never showing the URL (it holds a password).
 * Its connection failures and returns go to `logger` (redis-connection-log.ts).
 */
export function redisFromSettings(
  settings: RedisSettings,
  logger: Logger,
  options: Pick<RedisOptions, 'lazyConnect' | 'autoPipelining'> = {},
): Redis | Cluster {
  const url = readSecret(settings, 'REDIS_URL') as string;
  if (settings.REDIS_CA_FILE !== undefined && !/^rediss(-cluster)?:\/\//.test(url))
    throw new InventoryError(
      'CONFIG_INVALID',
      'invalid configuration: REDIS_CA_FILE is set but REDIS_URL is not rediss:// or rediss-cluster://',
    );
  const ca = settings.REDIS_CA_FILE === undefined ? undefined : readFileSync(settings.REDIS_CA_FILE, 'utf8');
  return logRedisConnection(redisOf(url, { ...options, ...(ca === undefined ? {} : { ca }) }), logger);
}

/** The canonical producer, connected, closed with the app's other clients. */
export async function openProducer(
  kafka: Kafka,
  resources: Resources,
  options: ProducerOptions = {},
): Promise<Producer> {
  const producer = resources.add('producer', createProducer(kafka, options), (p) => p.disconnect());
  await producer.connect();
  return producer;
}

/**
 * A consumer of the canonical configuration, connected; registered after the clients it
 * feeds, so it closes first (its disconnect waits for the batch it runs). A crash kafkajs
 * does not recover from stops the app (consumer-crash.ts).
 */
export async function openConsumer(
  kafka: Kafka,
  context: CrashContext & { resources: Resources },
  options: ConsumerOptions,
): Promise<Consumer> {
  const consumer = context.resources.add('consumer', createConsumer(kafka, options), (c) => c.disconnect());
  failOnFatalCrash(consumer, context, options.groupId);
  await consumer.connect();
  return consumer;
}

/** An admin client, connected, closed with the app's other clients. */
export async function openAdmin(kafka: Kafka, resources: Resources): Promise<Admin> {
  const admin = resources.add('admin', kafka.admin(), (a) => a.disconnect());
  await admin.connect();
  return admin;
}

/**
 * Master data (inventory.locations.v1) read once before the app starts, then refreshed in the
 * background; a failed refresh keeps what was read before.
 */
export async function openLocations(
  kafka: Kafka,
  codec: AvroCodec,
  options: { topic: string; groupId: string; refreshMs: number },
  { logger, resources }: { logger: Logger; resources: Resources },
): Promise<LocationDirectory> {
  const locations = new LocationDirectory(kafka, codec, options.topic, options.groupId);
  logger.info({ locations: await locations.refresh(), skipped: locations.skipped }, 'master data loaded');
  const refresh = setInterval(() => {
    locations
      .refresh()
      .catch((error) => logger.warn({ err: errorMessage(error) }, 'master data refresh failed'));
  }, options.refreshMs);
  resources.add('master data refresh', refresh, clearInterval);
  return locations;
}
