import {
  deliveryRetryStages,
  deliveryRetryTopic,
  type TopicSpec,
  topicCatalog,
  topicNames,
} from './catalog.ts';

/**
 * What one principal may do on the cluster, defined once next to the topic catalog: the
 * Kubernetes KafkaUser ACLs are generated from it (tools/deploy), and so must be any other
 * provisioning of broker ACLs. Derived from what each app's code uses with its default
 * settings (its config.ts and clients.ts): a setting that names another topic or group
 * needs its entry here changed too.
 */
export interface KafkaAccess {
  /** The principal's name: the app's name, which is also its KAFKA_CLIENT_ID and KafkaUser. */
  principal: string;
  /** Topics it consumes (Read, Describe). */
  reads: readonly string[];
  /** Topics it produces to (Write, Describe). */
  writes: readonly string[];
  /** Topics whose metadata and configuration it checks (Describe, DescribeConfigs). */
  inspects: readonly string[];
  /**
   * Consumer group name prefixes (Read, Describe, Delete): a group of its own and the
   * short-lived groups named after it (`<prefix>-locations-<random>`, restores, tails).
   */
  groups: readonly string[];
  /** Transactional id prefixes (Write, Describe). */
  transactionalIds: readonly string[];
  /** Topic name prefixes it creates and owns (all operations): Kafka Connect's internal topics. */
  ownedTopicPrefixes?: readonly string[];
}

/** The apps of the platform, by the name each runs as. */
export type AppName =
  | 'store-ingest'
  | 'mq-bridge'
  | 'sap-normalizer'
  | 'inventory-aggregator'
  | 'inventory-query-api'
  | 'erp-delivery'
  | 'stock-reconciliation'
  | 'lake-sink';

/** The retailer's data centres; each runs one platform, the others' state mirrored in. */
export const dataCentres = ['dc1', 'dc2', 'dc3'] as const;

/**
 * The other data centres' copies the aggregator keeps for the network view: their state and
 * MirrorMaker's heartbeats from them, as `<dc>.<topic>` (a data centre holds no copy of its own).
 */
export const peerCopies: readonly string[] = dataCentres.flatMap((dc) => [
  `${dc}.${topicNames.stock}`,
  `${dc}.heartbeats`,
]);

const retryTopics = Array.from({ length: deliveryRetryStages }, (_, i) => deliveryRetryTopic(i + 1));

/** Each app's access, least privilege: what it reads, writes, inspects and the groups it joins. */
export const appAccess: Record<AppName, KafkaAccess> = {
  'store-ingest': {
    principal: 'store-ingest',
    reads: [],
    writes: [topicNames.events],
    inspects: [],
    groups: [],
    transactionalIds: [],
  },
  'mq-bridge': {
    principal: 'mq-bridge',
    reads: [],
    writes: [topicNames.events, topicNames.mqRaw, topicNames.mqDeadLetter],
    inspects: [],
    groups: [],
    transactionalIds: [],
  },
  'sap-normalizer': {
    principal: 'sap-normalizer',
    reads: [topicNames.sapRaw],
    writes: [topicNames.events, topicNames.sapDeadLetter],
    inspects: [],
    groups: ['sap-normalizer'],
    transactionalIds: [],
  },
  'inventory-aggregator': {
    principal: 'inventory-aggregator',
    // The compacted outputs are read back by a restore after a loss of Redis.
    reads: [
      topicNames.events,
      topicNames.reservationCommands,
      topicNames.locations,
      topicNames.stock,
      topicNames.availability,
      topicNames.reservations,
      ...peerCopies,
    ],
    // Reservation sales go to the canonical topic, clock ticks to the commands.
    writes: [
      topicNames.stock,
      topicNames.availability,
      topicNames.reservations,
      topicNames.reservationOutcomes,
      topicNames.reservationCommands,
      topicNames.events,
      topicNames.eventsDeadLetter,
    ],
    // Equal partition counts and the input's retention are checked at start-up.
    inspects: [
      topicNames.events,
      topicNames.reservationCommands,
      topicNames.stock,
      topicNames.availability,
      topicNames.reservations,
    ],
    groups: ['inventory-aggregator'],
    // One per input partition: `<GROUP_ID>-<input topic>-p<n>`.
    transactionalIds: ['inventory-aggregator-'],
  },
  'inventory-query-api': {
    principal: 'inventory-query-api',
    reads: [topicNames.availability, topicNames.reservationOutcomes, topicNames.locations],
    writes: [topicNames.reservationCommands, topicNames.purchaseOrders],
    // The input's partition count maps a sku to its Redis keys.
    inspects: [topicNames.events],
    groups: ['inventory-query-api'],
    transactionalIds: [],
  },
  'erp-delivery': {
    principal: 'erp-delivery',
    // The dead letters are read by `dlq list` and `redrive`.
    reads: [
      topicNames.purchaseOrders,
      topicNames.soldQuantities,
      topicNames.events,
      ...retryTopics,
      topicNames.deliveryDeadLetter,
    ],
    writes: [topicNames.soldQuantities, ...retryTopics, topicNames.deliveryDeadLetter],
    inspects: [],
    // First attempt, each retry stage (`-retry-<i>`) and the sold-quantity summary.
    groups: ['erp-delivery'],
    transactionalIds: [],
  },
  'stock-reconciliation': {
    principal: 'stock-reconciliation',
    reads: [],
    writes: [topicNames.events],
    inspects: [topicNames.events],
    groups: [],
    transactionalIds: [],
  },
  'lake-sink': {
    principal: 'lake-sink',
    reads: [topicNames.events, topicNames.mqRaw, topicNames.sapRaw],
    writes: [topicNames.lakeDeadLetter],
    // Files are cut by append time: the topics' timestamp type is checked at start-up.
    inspects: [topicNames.events, topicNames.mqRaw, topicNames.sapRaw],
    groups: ['lake-sink'],
    transactionalIds: [],
  },
};

/** Kafka Connect's internal topics, named like every platform topic; Connect creates and owns them. */
export const connectTopics = {
  configs: 'inventory.connect-configs.v1',
  offsets: 'inventory.connect-offsets.v1',
  status: 'inventory.connect-status.v1',
} as const;

/**
 * Kafka Connect running Debezium's SAP connector (deploy/connect): it writes the raw SAP
 * topic and keeps its configuration, offsets and status in internal topics of its own.
 */
export const connectAccess: KafkaAccess = {
  principal: 'kafka-connect',
  reads: [],
  writes: [topicNames.sapRaw],
  inspects: [],
  groups: ['inventory-connect'],
  transactionalIds: [],
  ownedTopicPrefixes: ['inventory.connect-'],
};

/** Whoever publishes master data (locations): the seed job, or the retailer's master-data system. */
export const masterDataAccess: KafkaAccess = {
  principal: 'master-data',
  reads: [],
  writes: [topicNames.locations],
  inspects: [],
  groups: [],
  transactionalIds: [],
};

/**
 * Topics whose every record is written by one app alone: the state the aggregator derives,
 * and the summaries of the ERP delivery. A second writer would break compaction's "last
 * record is the state" or the exactly-once summaries.
 */
export const singleWriterTopics: Record<string, AppName> = {
  [topicNames.stock]: 'inventory-aggregator',
  [topicNames.availability]: 'inventory-aggregator',
  [topicNames.reservations]: 'inventory-aggregator',
  [topicNames.reservationOutcomes]: 'inventory-aggregator',
  [topicNames.soldQuantities]: 'erp-delivery',
};

/** Every access of the platform: the apps', then the other principals'. */
export function platformAccess(): KafkaAccess[] {
  return [...Object.values(appAccess), connectAccess, masterDataAccess];
}

/**
 * What MirrorMaker 2 copies between data centres: the compacted state (stock, availability,
 * reservations) and the master data. A data centre keeps its own topics as their only writer
 * and holds the others' as `<dc>.<topic>` (MirrorMaker's default replication policy).
 */
export function mirroredTopics(catalog: TopicSpec[] = topicCatalog()): string[] {
  return catalog.filter((t) => t.cleanupPolicy.includes('compact')).map((t) => t.name);
}

/**
 * MirrorMaker 2 in a data centre, as a source for the others and a target of theirs: it reads
 * the mirrored topics; it owns the `<dc>.` copies, its offset syncs, its herders' internal
 * topics (`mm2-`), the heartbeats and the herders' groups (`<source>-mm2`).
 */
export const mirrorAccess: KafkaAccess = {
  principal: 'mirror-maker',
  reads: mirroredTopics(),
  writes: [],
  // Copies are created with the source topic's configuration.
  inspects: mirroredTopics(),
  groups: dataCentres.map((dc) => `${dc}-mm2`),
  transactionalIds: [],
  // Heartbeats are created and written in each target, and read as a source's.
  ownedTopicPrefixes: [...dataCentres.map((dc) => `${dc}.`), 'mm2-', 'heartbeats'],
};

/** Where tests name topics of their own (testkit's uniqueTopic): `inventory.test-<what>-<unique>.v1`. */
export const testTopicPrefix = 'inventory.test-';

/** Topics of tests and benchmarks that the local stack's MirrorMaker 2 mirrors too (`uniqueTopic('mirror')`). */
export const mirrorTestTopicPrefix = `${testTopicPrefix}mirror-`;

/**
 * Another data centre's query API in this data centre's cluster (its QUERY_PEERS_FILE): it
 * sends the reservations of this data centre's locations here, where they are decided, and
 * hears their outcomes here, in groups of its own (`inventory-query-api-<its dc>-tail-*`);
 * nothing else. One principal per data centre that connects, so each can be told apart and
 * revoked alone.
 */
export const peerQueryApiAccess = (dataCentre: string): KafkaAccess => ({
  principal: `inventory-query-api-${dataCentre}`,
  reads: [topicNames.reservationOutcomes],
  writes: [topicNames.reservationCommands],
  inspects: [],
  groups: [`inventory-query-api-${dataCentre}`],
  transactionalIds: [],
});

/**
 * The access of a development stack that tests share (the local stack): the platform's, and
 * Kafka Connect's also on the tests' own topics, which the connectors of the CDC tests write
 * (the worker is one, its principal too), MirrorMaker 2's between the data centres of
 * `--dcs 3`, and the other data centres' query APIs (every cluster has all three: a local
 * data centre's own is unused). No production cluster grants the first.
 */
export function developmentAccess(): KafkaAccess[] {
  return [
    ...platformAccess().map((access) =>
      access === connectAccess
        ? { ...access, ownedTopicPrefixes: [...(access.ownedTopicPrefixes ?? []), testTopicPrefix] }
        : access,
    ),
    // The mirror also reads the tests' and benchmarks' own mirrored topics.
    {
      ...mirrorAccess,
      ownedTopicPrefixes: [...(mirrorAccess.ownedTopicPrefixes ?? []), mirrorTestTopicPrefix],
    },
    ...dataCentres.map(peerQueryApiAccess),
  ];
}
