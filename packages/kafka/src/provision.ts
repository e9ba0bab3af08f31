import { InventoryError } from '@inventory/core';
import kafkajs, { type Admin } from 'kafkajs';
import { type Durability, type TopicSpec, topicConfig } from './catalog.ts';

// kafkajs is CommonJS; Node's ESM loader does not see this enum as a named export.
const { ConfigResourceTypes } = kafkajs;

export interface ProvisionResult {
  created: string[];
  reconfigured: string[];
  unchanged: string[];
}

/**
 * Makes the cluster match the catalog; safe to run any number of times and from several
 * processes at once. Partition counts are never changed automatically: adding partitions
 * to a keyed topic moves keys to other partitions and breaks per-sku ordering, so a
 * mismatch is an error for an operator to decide on.
 */
export async function provisionTopics(
  admin: Admin,
  catalog: TopicSpec[],
  durability: Durability,
): Promise<ProvisionResult> {
  const result: ProvisionResult = { created: [], reconfigured: [], unchanged: [] };
  const existing = new Set(await admin.listTopics());
  const missing = catalog.filter((spec) => !existing.has(spec.name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: durability.replicationFactor,
        configEntries: Object.entries(topicConfig(spec, durability)).map(([name, value]) => ({
          name,
          value,
        })),
      })),
    });
    result.created.push(...missing.map((spec) => spec.name));
  }

  const present = catalog.filter((spec) => existing.has(spec.name));
  if (present.length === 0) return result;

  const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
  const mismatched = present
    .map((spec) => {
      const actual = metadata.topics.find((t) => t.name === spec.name)?.partitions.length ?? 0;
      return { spec, actual };
    })
    .filter(({ spec, actual }) => actual !== spec.partitions);
  if (mismatched.length > 0) {
    const list = mismatched.map(
      ({ spec, actual }) => `${spec.name} has ${actual}, catalog says ${spec.partitions}`,
    );
    throw new InventoryError('TOPIC_PARTITIONS_MISMATCH', `partition counts differ: ${list.join('; ')}`, {
      details: {
        topics: mismatched.map(({ spec, actual }) => ({ topic: spec.name, actual, wanted: spec.partitions })),
      },
    });
  }

  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((spec) => ({
      type: ConfigResourceTypes.TOPIC,
      name: spec.name,
      configNames: Object.keys(topicConfig(spec, durability)),
    })),
  });
  for (const spec of present) {
    const wanted = topicConfig(spec, durability);
    const entries = described.resources.find((r) => r.resourceName === spec.name)?.configEntries ?? [];
    const drift = Object.entries(wanted).some(
      ([name, value]) => entries.find((e) => e.configName === name)?.configValue !== value,
    );
    if (!drift) {
      result.unchanged.push(spec.name);
      continue;
    }
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configEntries: Object.entries(wanted).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    result.reconfigured.push(spec.name);
  }
  return result;
}
