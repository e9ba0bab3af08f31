import { keyPartition } from '@inventory/kafka';

/**
 * The input partition that owns a sku: Kafka's murmur2 over the key, exactly as every
 * producer of inventory.events.v1 keys it, hence the `{p<n>}` of its Redis keys.
 */
export const partitionOf = (sku: string, partitions: number): number => keyPartition(sku, partitions);
