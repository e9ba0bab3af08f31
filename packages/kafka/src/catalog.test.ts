import { describe, expect, it } from 'vitest';
import {
  deliveryRetryStages,
  deliveryRetryTopic,
  productionDurability,
  singleBrokerDurability,
  topicCatalog,
  topicConfig,
  topicNamePattern,
  topicNames,
  topicSpec,
} from './catalog.ts';

const catalog = topicCatalog();

describe('topic catalog', () => {
  it('names every topic inventory.<what>.v<N>, once', () => {
    for (const spec of catalog) expect(spec.name).toMatch(topicNamePattern);
    expect(new Set(catalog.map((t) => t.name)).size).toBe(catalog.length);
    const retryTopics = Array.from({ length: deliveryRetryStages }, (_, i) => deliveryRetryTopic(i + 1));
    expect([...Object.values(topicNames), ...retryTopics].sort()).toEqual(catalog.map((t) => t.name).sort());
  });

  it('the naming rule refuses names outside the convention', () => {
    for (const bad of [
      'inventory.events',
      'events.v1',
      'inventory.Events.v1',
      'inventory..v1',
      'inventory.events.v0',
    ]) {
      expect(bad).not.toMatch(topicNamePattern);
    }
  });

  it('defaults keyed topics to 12 partitions and lets a deployment choose', () => {
    expect(topicSpec(topicNames.events).partitions).toBe(12);
    expect(topicSpec(topicNames.events, topicCatalog({ partitions: 48 })).partitions).toBe(48);
    expect(() => topicCatalog({ partitions: 0 })).toThrow(/positive integer/);
  });

  it('keeps state compacted forever and events deleted after retention', () => {
    expect(topicConfig(topicSpec(topicNames.stock), singleBrokerDurability)).toMatchObject({
      'cleanup.policy': 'compact',
      'retention.ms': '-1',
    });
    expect(topicConfig(topicSpec(topicNames.availability), singleBrokerDurability)['cleanup.policy']).toBe(
      'compact',
    );
    expect(topicConfig(topicSpec(topicNames.locations), singleBrokerDurability)['cleanup.policy']).toBe(
      'compact',
    );
    const events = topicConfig(topicSpec(topicNames.events), singleBrokerDurability);
    expect(events['cleanup.policy']).toBe('delete');
    expect(Number(events['retention.ms'])).toBeGreaterThan(0);
    expect(events['min.compaction.lag.ms']).toBeUndefined();
  });

  it('keys the canonical topic by sku so one partition owns all of a sku', () => {
    expect(topicSpec(topicNames.events)).toMatchObject({ key: 'sku', valueSchema: 'InventoryEvent' });
    expect(topicSpec(topicNames.availability).key).toBe('sku');
  });

  it('keeps three copies with two in sync in production, and says so in every topic of the catalog', () => {
    expect(productionDurability).toEqual({ replicationFactor: 3, minInSyncReplicas: 2 });
    for (const spec of topicCatalog()) {
      expect(topicConfig(spec, productionDurability)['min.insync.replicas']).toBe('2');
      expect(topicConfig(spec, singleBrokerDurability)['min.insync.replicas']).toBe('1');
    }
  });

  it('refuses an unknown topic', () => {
    expect(() => topicSpec('inventory.nope.v1')).toThrow(/not in the catalog/);
  });
});
