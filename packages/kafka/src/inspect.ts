import { InventoryError } from '@inventory/core';
import kafkajs, { type Admin, type Kafka } from 'kafkajs';

// Not among the names Node can import from kafkajs (CommonJS) directly.
const { ConfigResourceTypes } = kafkajs;

/** How many partitions each topic has (0: it does not exist). */
export async function partitionCounts(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  const metadata = await admin.fetchTopicMetadata({ topics });
  const counts = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  return new Map(topics.map((topic) => [topic, counts.get(topic) ?? 0]));
}

/**
 * The partition count of the topic whose partitions key the read model (partition p of the
 * input topic is the Redis slot group of its skus); a topic that is missing stops the start.
 */
export async function keyedPartitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const partitions = await partitionCounts(admin, [topic])
    .then((counts) => counts.get(topic) ?? 0)
    .finally(() => admin.disconnect());
  if (partitions === 0)
    throw new InventoryError('STARTUP_CHECK_FAILED', `topic ${topic} has no partitions (does it exist?)`);
  return partitions;
}

/** One setting of each topic as the broker applies it (its own or the broker's default). */
export async function topicSetting(
  admin: Admin,
  topics: string[],
  name: string,
): Promise<Map<string, string | undefined>> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((topic) => ({ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] })),
  });
  return new Map(described.resources.map((r) => [r.resourceName, r.configEntries[0]?.configValue]));
}
