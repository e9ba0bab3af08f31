import kafkajs from 'kafkajs';

const partitioner = kafkajs.Partitioners.DefaultPartitioner();

/** The partition metadata the partitioner is given, one array per partition count (built once). */
const metadataByCount = new Map<number, { partitionId: number; leader: number }[]>();

function metadataOf(partitions: number) {
  let metadata = metadataByCount.get(partitions);
  if (!metadata) {
    metadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    metadataByCount.set(partitions, metadata);
  }
  return metadata;
}

/**
 * The input partition that owns a sku: Kafka's murmur2 over the key, exactly as every
 * producer of inventory.events.v1 keys it, hence the `{p<n>}` of its Redis keys. Every read
 * of a sku asks it, so the metadata is not rebuilt per call.
 */
export function partitionOf(sku: string, partitions: number): number {
  return partitioner({
    topic: 'inventory.events.v1',
    partitionMetadata: metadataOf(partitions) as Parameters<typeof partitioner>[0]['partitionMetadata'],
    message: { key: sku, value: null },
  });
}
