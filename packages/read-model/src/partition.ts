import kafkajs from 'kafkajs';

const partitioner = kafkajs.Partitioners.DefaultPartitioner();

/**
 * The input partition that owns a sku: Kafka's murmur2 over the key, exactly as every
 * producer of inventory.events.v1 keys it, hence the `{p<n>}` of its Redis keys.
 */
export function partitionOf(sku: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return partitioner({ topic: 'inventory.events.v1', partitionMetadata, message: { key: sku, value: null } });
}
