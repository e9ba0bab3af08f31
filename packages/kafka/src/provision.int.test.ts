import { testKafka, uniqueTopic } from '@inventory/testkit';
import kafkajs, { type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleBrokerDurability, type TopicSpec, topicCatalog, topicConfig } from './catalog.ts';
import { provisionTopics } from './provision.ts';

const { ConfigResourceTypes } = kafkajs;

/** A topic keyed by sku under a fresh name, without a value schema. */
const skuTopic = (
  name: string,
  layout: Pick<TopicSpec, 'partitions' | 'cleanupPolicy' | 'retentionMs'>,
): TopicSpec => ({
  name: uniqueTopic(name),
  key: 'sku',
  valueSchema: undefined,
  description: 'test',
  ...layout,
});

describe('topic provisioning against the real broker', () => {
  let admin: Admin;
  beforeAll(async () => {
    admin = testKafka().admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  const cleanupPolicy = async (topic: string) => {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
    });
    return described.resources[0]?.configEntries[0]?.configValue;
  };

  it('the stack provisioned every catalog topic with its partitions and cleanup policy', async () => {
    const catalog = topicCatalog();
    const metadata = await admin.fetchTopicMetadata({ topics: catalog.map((t) => t.name) });
    for (const spec of catalog) {
      expect(metadata.topics.find((t) => t.name === spec.name)?.partitions.length, spec.name).toBe(
        spec.partitions,
      );
      expect(await cleanupPolicy(spec.name), spec.name).toBe(spec.cleanupPolicy);
    }
  });

  it('creates, then leaves alone, then repairs drifted configuration', async () => {
    const spec = skuTopic('provision', { partitions: 4, cleanupPolicy: 'compact', retentionMs: -1 });
    expect((await provisionTopics(admin, [spec], singleBrokerDurability)).created).toEqual([spec.name]);
    expect(await provisionTopics(admin, [spec], singleBrokerDurability)).toEqual({
      created: [],
      reconfigured: [],
      unchanged: [spec.name],
    });

    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configEntries: [{ name: 'cleanup.policy', value: 'delete' }],
        },
      ],
    });
    expect(await cleanupPolicy(spec.name)).toBe('delete');
    expect((await provisionTopics(admin, [spec], singleBrokerDurability)).reconfigured).toEqual([spec.name]);
    expect(await cleanupPolicy(spec.name)).toBe(topicConfig(spec, singleBrokerDurability)['cleanup.policy']);
  });

  it('refuses to silently repartition a keyed topic', async () => {
    const spec = skuTopic('repartition', { partitions: 2, cleanupPolicy: 'delete', retentionMs: 60_000 });
    await provisionTopics(admin, [spec], singleBrokerDurability);
    await expect(
      provisionTopics(admin, [{ ...spec, partitions: 3 }], singleBrokerDurability),
    ).rejects.toMatchObject({
      code: 'TOPIC_PARTITIONS_MISMATCH',
      message: expect.stringContaining(`${spec.name} has 2, catalog says 3`),
    });
  });
});
