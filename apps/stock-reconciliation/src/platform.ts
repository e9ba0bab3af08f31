import type { ReadModelReader, StoredLocation } from '@inventory/read-model';
import type { SnapshotItem } from './snapshot.ts';

/**
 * The platform's state of each snapshot item with its count journal (the comparison needs the
 * deltas after the snapshot's time), read from the aggregator's read model (the same reader
 * the query API uses). In chunks: 50,000 items are 50 round trips.
 */
export async function readPlatformState(
  reader: ReadModelReader,
  items: SnapshotItem[],
): Promise<(StoredLocation | undefined)[]> {
  const states: (StoredLocation | undefined)[] = [];
  for (let i = 0; i < items.length; i += 1_000)
    states.push(...(await reader.locations(items.slice(i, i + 1_000), { journals: true })));
  return states;
}
