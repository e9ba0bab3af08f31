import type { AvroCodec } from '@inventory/codec';
import { InventoryError } from '@inventory/core';
import { CoPartitionedAssigner } from '@inventory/kafka';
import type { RedisClient } from '@inventory/read-model';
import {
  type ClientsOpener,
  codecOf,
  kafkaOf,
  openAdmin,
  openConsumer,
  openLocations,
  openProducer,
  redisFromSettings,
} from '@inventory/service';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { type AggregatorConfig, aggregatorSettings } from './config.ts';
import { checkTopics } from './startup.ts';
import { RedisStore } from './store/redis-store.ts';

export interface AggregatorClients {
  kafka: Kafka;
  admin: Admin;
  /** Idempotent, for dead letters, outcomes, reservation sales and clock ticks. */
  producer: Producer;
  consumer: Consumer;
  redis: RedisClient;
  store: RedisStore;
  codec: AvroCodec;
  regionOf: (locationId: string) => string;
  /** A known location's home data centre (master data). */
  dataCentreOf: (locationId: string) => string | undefined;
  /** The consumer of the other data centres' copies, when PEER_DATA_CENTRES names any. */
  peerConsumer: Consumer | undefined;
}

/** The other data centres named, checked against this one's name. */
export function peerDataCentres(config: AggregatorConfig): string[] {
  const peers = config.PEER_DATA_CENTRES ?? [];
  if (peers.includes(config.DATA_CENTRE))
    throw new InventoryError(
      'CONFIG_INVALID',
      `AGG_PEER_DATA_CENTRES names ${config.DATA_CENTRE}, which is AGG_DATA_CENTRE: a data centre's own state is not a copy`,
    );
  return peers;
}

/**
 * Opens the clients and checks the topics. Registered newest first for closing: the
 * consumer (intake; its disconnect waits for the running batch, whose Redis write and
 * publication complete) before the producer, admin and Redis it relies on.
 */
export const connectAggregator: ClientsOpener<AggregatorConfig, AggregatorClients> = async (
  config,
  context,
) => {
  const { logger, resources } = context;
  const kafka = kafkaOf(config, logger);
  const redis = resources.add('redis', redisFromSettings(config, logger), (r) => r.quit());
  const codec = codecOf(config);
  const locations = await openLocations(
    kafka,
    codec,
    { topic: config.LOCATIONS_TOPIC, groupId: config.GROUP_ID, refreshMs: config.LOCATIONS_REFRESH_MS },
    { logger, resources },
  );
  const admin = await openAdmin(kafka, resources);
  const partitions = await checkTopics(admin, config);
  const producer = await openProducer(kafka, resources);
  const consumer = await openConsumer(kafka, context, {
    groupId: config.GROUP_ID,
    sessionTimeoutMs: config.SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
    maxBytesPerPartition: config.MAX_BYTES_PER_PARTITION,
    minBytes: config.FETCH_MIN_BYTES,
    maxWaitTimeMs: config.FETCH_MAX_WAIT_MS,
    partitionAssigners: [CoPartitionedAssigner],
  });
  // Its own group: the copies are read whole by every data centre, beside its own partitions.
  const peerConsumer =
    peerDataCentres(config).length === 0
      ? undefined
      : await openConsumer(kafka, context, {
          groupId: `${config.GROUP_ID}-peers`,
          sessionTimeoutMs: config.SESSION_TIMEOUT_MS,
          heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
          maxBytesPerPartition: config.MAX_BYTES_PER_PARTITION,
        });
  const store = new RedisStore(
    redis,
    config.REDIS_PREFIX,
    partitions,
    { policy: aggregatorSettings(config).dedup, shards: config.DEDUP_SHARDS },
    config.RESERVATION_RETENTION_MS,
  );
  return {
    kafka,
    admin,
    producer,
    consumer,
    redis,
    store,
    codec,
    regionOf: locations.regionOf,
    dataCentreOf: locations.dataCentreOf,
    peerConsumer,
  };
};
