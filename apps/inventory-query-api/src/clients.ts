import type { AvroCodec, Location } from '@inventory/codec';
import { createKafka, keyedPartitionCount } from '@inventory/kafka';
import type { RedisClient } from '@inventory/read-model';
import {
  type ClientsOpener,
  codecOf,
  kafkaOf,
  openLocations,
  openProducer,
  redisFromSettings,
} from '@inventory/service';
import type { Producer } from 'kafkajs';
import { ApiKeyStore } from './api-keys.ts';
import type { QueryConfig } from './config.ts';
import { TopicTail } from './kafka/tail.ts';
import { readPeers } from './peers.ts';
import type { ReservationChannel } from './reservations/service.ts';

export interface QueryClients {
  redis: RedisClient;
  codec: AvroCodec;
  producer: Producer;
  /** The aggregator's input partitions: the same count maps a sku to its Redis keys. */
  partitions: number;
  changes: TopicTail<'SkuAvailability'>;
  outcomes: TopicTail<'ReservationOutcome'>;
  regionOf: (locationId: string) => string;
  /** The locations' master data as last read from the compacted topic. */
  locations: () => Location[];
  keys: ApiKeyStore;
  /** A known location's home data centre (master data). */
  dataCentreOf: (locationId: string) => string | undefined;
  /** The other data centres reached to decide reservations there (QUERY_PEERS_FILE). */
  peerChannels: Map<string, ReservationChannel>;
}

/** Opens the clients from the settings; API keys and master data are read here. */
export const connectQueryApi: ClientsOpener<QueryConfig, QueryClients> = async (config, context) => {
  const { logger, resources } = context;
  const kafka = kafkaOf(config, logger);
  const keys = ApiKeyStore.fromFile(config.API_KEYS_FILE);
  const partitions = await keyedPartitionCount(kafka, config.INPUT_TOPIC);
  const redis = resources.add(
    'redis',
    redisFromSettings(config, logger, { autoPipelining: config.REDIS_AUTO_PIPELINING }),
    (r) => r.quit(),
  );
  const codec = codecOf(config);
  const changes = resources.add(
    'availability changes',
    new TopicTail(kafka, codec, config.AVAILABILITY_TOPIC, 'SkuAvailability', context),
    (t) => t.stop(),
  );
  await changes.start(config.KAFKA_CLIENT_ID);
  const outcomes = resources.add(
    'reservation outcomes',
    new TopicTail(kafka, codec, config.OUTCOMES_TOPIC, 'ReservationOutcome', context),
    (t) => t.stop(),
  );
  await outcomes.start(config.KAFKA_CLIENT_ID);
  const producer = await openProducer(kafka, resources);
  const locations = await openLocations(
    kafka,
    codec,
    {
      topic: config.LOCATIONS_TOPIC,
      groupId: config.KAFKA_CLIENT_ID,
      refreshMs: config.LOCATIONS_REFRESH_MS,
    },
    { logger, resources },
  );
  const peerChannels = new Map<string, ReservationChannel>();
  for (const peer of config.PEERS_FILE ? readPeers(config.PEERS_FILE, config.DATA_CENTRE) : []) {
    const peerKafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, logger, ...peer.client });
    const peerOutcomes = resources.add(
      `reservation outcomes of ${peer.dataCentre}`,
      new TopicTail(peerKafka, codec, config.OUTCOMES_TOPIC, 'ReservationOutcome', context),
      (t) => t.stop(),
    );
    // Groups named after this data centre: its user in the peer's cluster may join only those.
    await peerOutcomes.start(`${config.KAFKA_CLIENT_ID}-${config.DATA_CENTRE}`);
    peerChannels.set(peer.dataCentre, {
      producer: await openProducer(peerKafka, resources),
      outcomes: peerOutcomes,
    });
  }
  return {
    redis,
    codec,
    producer,
    partitions,
    changes,
    outcomes,
    regionOf: locations.regionOf,
    locations: locations.locations,
    keys,
    dataCentreOf: locations.dataCentreOf,
    peerChannels,
  };
};
