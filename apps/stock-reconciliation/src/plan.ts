import { type InventoryEvent, platformEventId } from '@inventory/domain';
import { journalOf, type StoredLocation } from '@inventory/read-model';
import type { SnapshotItem } from './snapshot.ts';

export type Decision =
  /** The platform agreed with the ERP at asOf. */
  | { kind: 'unchanged'; platformAsOf: number }
  /** A COUNT as of asOf corrects the platform. */
  | { kind: 'correct'; platformAsOf: number }
  /** The platform has a count newer than the snapshot: the snapshot is the older truth. */
  | { kind: 'newer-count' }
  /**
   * The platform cannot tell what moved there after asOf (its journal was pruned), so a COUNT
   * could overwrite later movements; left for the next run, which has a fresher snapshot.
   */
  | { kind: 'deferred' };

/**
 * Compares like with like: the ERP's quantity is true at asOf, the platform's onHand is true
 * now. The aggregator keeps, per location, the deltas applied after its last count
 * (journal); subtracting those after asOf gives the platform's figure at asOf. Only a real
 * difference at asOf becomes a correction, and the aggregator then applies the COUNT as of
 * asOf and re-adds the same later deltas, so sales during the run are never lost.
 */
export function decide(item: SnapshotItem, stored: StoredLocation | undefined, asOf: number): Decision {
  if (stored === undefined)
    return item.qty === 0 ? { kind: 'unchanged', platformAsOf: 0 } : { kind: 'correct', platformAsOf: 0 };
  if (stored.lastCountAt !== null && asOf < stored.lastCountAt) return { kind: 'newer-count' };
  // The aggregator's own reading of its journal: complete after `from` (null: ever since the last count).
  const journal = journalOf(stored);
  if (journal.from !== null && asOf < journal.from) return { kind: 'deferred' };
  const after = journal.entries.reduce(
    (sum, [occurredAt, delta]) => (occurredAt > asOf ? sum + delta : sum),
    0,
  );
  const platformAsOf = stored.onHand - after;
  return platformAsOf === item.qty ? { kind: 'unchanged', platformAsOf } : { kind: 'correct', platformAsOf };
}

export const correctionEventId = (jobId: number, item: Pick<SnapshotItem, 'sku' | 'locationId'>) =>
  platformEventId('RECONCILIATION', jobId, `${item.sku}@${item.locationId}`);

/** The correction as it goes on the canonical stream: a COUNT as of the snapshot's time. */
export function correctionEvent(
  jobId: number,
  item: SnapshotItem,
  asOf: number,
  now: number,
): InventoryEvent {
  return {
    eventId: correctionEventId(jobId, item),
    type: 'COUNT',
    sku: item.sku,
    locationId: item.locationId,
    quantity: item.qty,
    occurredAt: asOf,
    recordedAt: now,
    source: 'RECONCILIATION',
    sourceRef: `reconciliation job ${jobId}, ERP snapshot as of ${new Date(asOf).toISOString()}`,
    clientId: null,
    clientEventId: null,
  };
}
