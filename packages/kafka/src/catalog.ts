import type { SchemaName } from '@inventory/codec';
import { InventoryError } from '@inventory/core';

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

export interface TopicSpec {
  name: string;
  /** What the record key is; every producer must key records this way. */
  key: string;
  /** Avro schema of the value (Confluent wire format); undefined for raw payload topics. */
  valueSchema: SchemaName | undefined;
  partitions: number;
  cleanupPolicy: CleanupPolicy;
  /** -1 keeps records forever (compacted state). */
  retentionMs: number;
  /**
   * Stamped by the broker when appended (LogAppendTime), not by the producer: the lake cuts
   * its files by this time, which then only grows within a partition.
   */
  appendTime?: boolean;
  description: string;
}

export interface CatalogOptions {
  /** Partitions of keyed high-volume topics (default 12). Changing it later remaps keys. */
  partitions?: number;
}

/** How many copies of each partition a cluster keeps, and how many must have a write before it is acknowledged. */
export interface Durability {
  replicationFactor: number;
  /** Producers send with acks=all: below this many in-sync replicas a write is refused, not half-kept. */
  minInSyncReplicas: number;
}

/**
 * The catalog's durability, for a cluster of three brokers or more: a partition survives one
 * broker down and still takes writes, and an acknowledged write is on two brokers.
 */
export const productionDurability: Durability = { replicationFactor: 3, minInSyncReplicas: 2 };

/**
 * A cluster of one broker (the local stack, a minikube overlay) cannot keep three copies: it
 * overrides the catalog explicitly with this, and says so when it provisions.
 */
export const singleBrokerDurability: Durability = { replicationFactor: 1, minInSyncReplicas: 1 };

const day = 24 * 60 * 60 * 1000;

/** Naming rule of every topic the platform owns: inventory.<what>.v<N>. */
export const topicNamePattern = /^inventory\.[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*\.v[1-9][0-9]*$/;

export const topicNames = {
  events: 'inventory.events.v1',
  eventsDeadLetter: 'inventory.events.dlq.v1',
  stock: 'inventory.stock.v1',
  availability: 'inventory.availability.v1',
  reservations: 'inventory.reservations.v1',
  locations: 'inventory.locations.v1',
  mqRaw: 'inventory.raw.mq.v1',
  mqDeadLetter: 'inventory.raw.mq.dlq.v1',
  sapRaw: 'inventory.raw.sap.mard.v1',
  sapDeadLetter: 'inventory.raw.sap.dlq.v1',
  lakeDeadLetter: 'inventory.lake.dlq.v1',
  reservationCommands: 'inventory.reservation-commands.v1',
  reservationOutcomes: 'inventory.reservation-outcomes.v1',
  purchaseOrders: 'inventory.purchase-orders.v1',
  soldQuantities: 'inventory.sold-quantities.v1',
  deliveryDeadLetter: 'inventory.erp-delivery.dlq.v1',
} as const;

/**
 * Stages of the ERP delivery's non-blocking retries: stage i waits its configured delay
 * (5 s, 15 s, 45 s by default) before trying again. Provisioned up to this many, so that a
 * longer schedule needs only configuration.
 */
export const deliveryRetryStages = 5;
export const deliveryRetryTopic = (stage: number) => `inventory.erp-delivery.retry-${stage}.v1`;

/**
 * Every topic the platform owns, defined once. Provisioning, producers and consumers all
 * read names and settings from here, never from string literals of their own.
 */
export function topicCatalog(options: CatalogOptions = {}): TopicSpec[] {
  const partitions = options.partitions ?? 12;
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new InventoryError('CATALOG_INVALID', `partitions must be a positive integer, got ${partitions}`);
  }
  return [
    {
      name: topicNames.events,
      key: 'sku',
      valueSchema: 'InventoryEvent',
      partitions,
      cleanupPolicy: 'delete',
      // At least the dedup horizon (7 days) plus its grace (1 day) plus a day: a restore of the
      // aggregator reads the eventIds it must remember back from here.
      retentionMs: 10 * day,
      appendTime: true,
      description: 'Canonical stock movements and counts from every source; the aggregator folds them.',
    },
    {
      name: topicNames.eventsDeadLetter,
      key: 'original key',
      valueSchema: undefined,
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: 30 * day,
      description: 'Events that could not be processed, original bytes with the reason in headers.',
    },
    {
      name: topicNames.stock,
      key: 'locationId|sku',
      valueSchema: 'StockLevel',
      partitions,
      cleanupPolicy: 'compact',
      retentionMs: -1,
      description:
        "Latest state per location x sku (count journal included), in the sku's partition; the read model is rebuilt from it.",
    },
    {
      name: topicNames.availability,
      key: 'sku',
      valueSchema: 'SkuAvailability',
      partitions,
      cleanupPolicy: 'compact',
      retentionMs: -1,
      description: 'Latest network-wide state per sku, with the breakdown by region.',
    },
    {
      name: topicNames.reservations,
      key: 'reservationId',
      valueSchema: 'Reservation',
      // The sku's partition, like the state: a restore of partition p reads partition p.
      partitions,
      // Compacted, and deleted after two weeks: a reservation holds stock for a day at most,
      // and a final one answers retries for a week.
      cleanupPolicy: 'compact,delete',
      retentionMs: 14 * day,
      description:
        'Every reservation the aggregator decided, absolute and versioned; restored from after a loss of Redis.',
    },
    {
      name: topicNames.locations,
      key: 'locationId',
      valueSchema: 'Location',
      // One partition: master data is small and every aggregator instance reads all of it.
      partitions: 1,
      cleanupPolicy: 'compact',
      retentionMs: -1,
      description: 'Master data of stores, warehouses and distribution centres.',
    },
    {
      name: topicNames.mqRaw,
      key: 'mainframe transaction id',
      valueSchema: undefined,
      partitions,
      cleanupPolicy: 'delete',
      retentionMs: 30 * day,
      appendTime: true,
      description: 'Mainframe MQ messages exactly as received, for lineage and the lake.',
    },
    {
      name: topicNames.mqDeadLetter,
      key: 'mainframe transaction id',
      valueSchema: undefined,
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: 30 * day,
      description:
        'Mainframe messages that could not be parsed or mapped, as received, with the reason in headers.',
    },
    {
      name: topicNames.sapRaw,
      key: 'MARD primary key (Debezium JSON)',
      valueSchema: undefined,
      partitions,
      cleanupPolicy: 'delete',
      retentionMs: 30 * day,
      appendTime: true,
      description: "Debezium's change events of SAP's MARD table (JSON), as captured.",
    },
    {
      name: topicNames.sapDeadLetter,
      key: 'MARD primary key (Debezium JSON)',
      valueSchema: undefined,
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: 30 * day,
      description: 'SAP change events that could not be mapped, as captured, with the reason in headers.',
    },
    {
      name: topicNames.lakeDeadLetter,
      key: 'original key',
      valueSchema: undefined,
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: 30 * day,
      description: 'Records the lake sink could not decode, as read, with the reason in headers.',
    },
    {
      name: topicNames.reservationCommands,
      key: 'sku',
      valueSchema: 'ReservationCommand',
      // Must equal the events topic's count: partition p of both is one sku range, one writer.
      partitions,
      cleanupPolicy: 'delete',
      retentionMs: 7 * day,
      description: 'Reserve, release, commit and clock ticks for the aggregator to decide.',
    },
    {
      name: topicNames.reservationOutcomes,
      key: 'sku',
      valueSchema: 'ReservationOutcome',
      partitions,
      cleanupPolicy: 'delete',
      retentionMs: 7 * day,
      description: "The aggregator's decisions and expiries; the API answers from them.",
    },
    {
      name: topicNames.purchaseOrders,
      key: 'orderId',
      valueSchema: 'PurchaseOrder',
      partitions,
      cleanupPolicy: 'delete',
      retentionMs: 30 * day,
      description: 'Web-shop orders with every line reserved, for the ERP.',
    },
    {
      name: topicNames.soldQuantities,
      key: 'sku|supplierId|periodStart',
      valueSchema: 'SoldQuantity',
      partitions,
      cleanupPolicy: 'delete',
      retentionMs: 30 * day,
      description: 'Units sold and returned per sku, supplier and period, for the ERP and the suppliers.',
    },
    ...Array.from({ length: deliveryRetryStages }, (_, i) => ({
      name: deliveryRetryTopic(i + 1),
      key: 'original key',
      valueSchema: undefined,
      partitions: 3,
      cleanupPolicy: 'delete' as const,
      retentionMs: 7 * day,
      description: `ERP deliveries waiting for retry ${i + 1}: the original record, with destination, attempt, due time and last error in headers.`,
    })),
    {
      name: topicNames.deliveryDeadLetter,
      key: 'original key',
      valueSchema: undefined,
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: 30 * day,
      description:
        'ERP deliveries that failed for good (non-retriable, or after the last retry), for listing and redrive.',
    },
  ];
}

export function topicSpec(name: string, catalog: TopicSpec[] = topicCatalog()): TopicSpec {
  const spec = catalog.find((t) => t.name === name);
  if (!spec) throw new InventoryError('TOPIC_UNKNOWN', `topic ${name} is not in the catalog`);
  return spec;
}

/** Broker-side configuration a topic must carry, as strings the admin API takes. */
export function topicConfig(spec: TopicSpec, durability: Durability): Record<string, string> {
  const config: Record<string, string> = {
    'cleanup.policy': spec.cleanupPolicy,
    'retention.ms': String(spec.retentionMs),
    'min.insync.replicas': String(durability.minInSyncReplicas),
  };
  if (spec.appendTime) config['message.timestamp.type'] = 'LogAppendTime';
  if (spec.cleanupPolicy.includes('compact')) {
    // Bounded staleness of compaction, and tombstones kept long enough for a restoring
    // consumer that is a day behind to still see deletions.
    config['min.compaction.lag.ms'] = '0';
    config['max.compaction.lag.ms'] = String(day);
    config['delete.retention.ms'] = String(day);
    config['segment.ms'] = String(6 * 60 * 60 * 1000);
  }
  return config;
}
