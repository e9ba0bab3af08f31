import { KeyLayout, locationField, partitionOf, type StoredLocation } from '@inventory/read-model';
import type { Redis } from 'ioredis';
import type { SnapshotItem } from './snapshot.ts';

/**
 * The platform's state of each snapshot item, read from the aggregator's read model (the
 * same contract the query API reads). Pipelined in chunks: 50,000 items are 50 round trips.
 */
export async function readPlatformState(
  redis: Redis,
  prefix: string,
  partitions: number,
  items: SnapshotItem[],
): Promise<(StoredLocation | undefined)[]> {
  const layout = new KeyLayout(prefix);
  const states: (StoredLocation | undefined)[] = [];
  for (let i = 0; i < items.length; i += 1_000) {
    const pipeline = redis.pipeline();
    for (const item of items.slice(i, i + 1_000)) {
      pipeline.hget(layout.sku(partitionOf(item.sku, partitions), item.sku), locationField(item.locationId));
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [error, value] of results) {
      if (error) throw error;
      states.push(typeof value === 'string' ? (JSON.parse(value) as StoredLocation) : undefined);
    }
  }
  return states;
}
