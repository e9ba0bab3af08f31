import { type InventoryEvent, onHandDelta, placedAt } from '@inventory/domain';
import type { StoredLocation } from '@inventory/read-model';
import {
  type Journal,
  type JournalBounds,
  type JournalEntry,
  journalOf,
  placeCount,
  recordDelta,
  storedEntries,
  storedFrom,
} from './journal.ts';

/**
 * State of one sku at one location, as the read model and inventory.stock.v1 hold it:
 * version grows by one per applied event, inputOffset is the offset of the last one.
 */
export type LocationState = StoredLocation;

/** Every location of one sku; the network-wide totals are derived from it (@inventory/read-model, totals.ts). */
export type SkuState = Map<string, LocationState>;

export interface SequencedEvent {
  offset: number;
  event: InventoryEvent;
}

export interface FoldResult {
  /** `${sku}\u0000${locationId}` of every location x sku that changed. */
  changed: Set<string>;
  /** Every event applied (late ones included: their eventId is spent), with the time that places it in the dedup memory. */
  applied: { eventId: string; occurredAt: number }[];
  /** Deltas older than the location's last COUNT, and COUNTs older than it: already inside that count. */
  late: number;
  duplicates: number;
  /**
   * COUNTs whose time is before what the journal still covers (pruned by its bounds): set
   * absolutely, so deltas after their time folded before them are lost.
   */
  unplacedCounts: number;
}

export interface FoldOptions {
  /** Bounds of the per location x sku journal that places COUNTs folded after later deltas. */
  journal: JournalBounds;
}

/** sourceRef of the SALE the aggregator emits when a reservation is committed. */
export const reservationSaleRef = (reservationId: string) => `reservation:${reservationId}`;

function releasesReservation(event: InventoryEvent): boolean {
  return (
    event.type === 'SALE' &&
    event.source === 'WEBSHOP' &&
    event.sourceRef?.startsWith('reservation:') === true
  );
}

export const changeKey = (sku: string, locationId: string) => `${sku}\u0000${locationId}`;

/**
 * Folds events, in offset order, into `state` (mutated). Pure apart from that: the same
 * state and events always give the same result, whatever the batch boundaries, which is
 * what makes replay after a crash exact. `seen` tells which eventIds are already applied
 * (from earlier batches); ids applied within this call are tracked here.
 *
 * Events are placed by placedAt (their occurredAt, never after their recordedAt). A COUNT
 * is the truth at its time T, which may be older than deltas folded before
 * it (they reached Kafka first): onHand := quantity + the journal's deltas after T, and
 * the journal keeps only those. The journal is pruned per event, never per batch, so
 * pruning too is independent of batch boundaries.
 */
export function fold(
  state: Map<string, SkuState>,
  events: SequencedEvent[],
  seen: (eventId: string) => boolean,
  options: FoldOptions,
): FoldResult {
  const result: FoldResult = {
    changed: new Set(),
    applied: [],
    late: 0,
    duplicates: 0,
    unplacedCounts: 0,
  };
  const appliedNow = new Set<string>();
  // Journal arrays created in this call: changed in place by later events of the call.
  // Others are shared with the state the batch read (its `before`) and are copied first.
  const owned = new Set<readonly JournalEntry[]>();
  for (const { offset, event } of events) {
    if (appliedNow.has(event.eventId) || seen(event.eventId)) {
      result.duplicates++;
      continue;
    }
    let sku = state.get(event.sku);
    if (!sku) {
      sku = new Map();
      state.set(event.sku, sku);
    }
    const current = sku.get(event.locationId) ?? {
      onHand: 0,
      reserved: 0,
      updatedAt: 0,
      lastCountAt: null,
      version: 0,
      inputOffset: -1,
      // Nothing applied yet, nothing pruned: complete.
      journal: [],
    };
    // The eventId counts as seen even when the event is late: a redelivery must not apply later.
    appliedNow.add(event.eventId);
    result.applied.push({ eventId: event.eventId, occurredAt: event.occurredAt });
    // A committed web-shop reservation becomes this sale: its units leave `reserved` as they
    // leave `onHand`, so available does not move (they were never available).
    const reserved = releasesReservation(event)
      ? Math.max(0, current.reserved - event.quantity)
      : current.reserved;
    // Its place among the location's events: when it happened, never after it was accepted
    // (placedAt: a clock running ahead must not put a COUNT after later movements).
    const at = placedAt(event);
    if (current.lastCountAt !== null && at < current.lastCountAt) {
      result.late++;
      if (reserved !== current.reserved) {
        sku.set(event.locationId, {
          ...current,
          reserved,
          version: current.version + 1,
          inputOffset: offset,
        });
        result.changed.add(changeKey(event.sku, event.locationId));
      }
      continue;
    }
    const delta = onHandDelta(event.type, event.quantity);
    const updatedAt = Math.max(current.updatedAt, at);
    const journal = journalOf(current);
    const mine = owned.has(journal.entries);
    let onHand: number;
    let lastCountAt = current.lastCountAt;
    let nextJournal: Journal;
    if (delta === undefined) {
      // Not late, so T >= lastCountAt. Deltas at T folded before the COUNT are inside it;
      // those at T folded after it are applied (late means before lastCountAt).
      const placement = placeCount(journal, at, updatedAt, options.journal);
      if (!placement.placed) result.unplacedCounts++;
      onHand = event.quantity + placement.later;
      lastCountAt = at;
      nextJournal = placement.journal;
    } else {
      onHand = current.onHand + delta;
      nextJournal = recordDelta(journal, at, delta, lastCountAt, updatedAt, options.journal, mine);
    }
    if (nextJournal.entries !== journal.entries) owned.add(nextJournal.entries);
    // Always the same keys (undefined ones are left out of the JSON): one object shape.
    const next: LocationState = {
      onHand,
      reserved,
      updatedAt,
      lastCountAt,
      version: current.version + 1,
      inputOffset: offset,
      journal: storedEntries(nextJournal),
      journalFrom: storedFrom(nextJournal, lastCountAt),
    };
    // The journal changes only with an applied event, which always changes version (and
    // so the stock output): a journal-only change, which would need a write without an
    // output, cannot happen.
    sku.set(event.locationId, next);
    result.changed.add(changeKey(event.sku, event.locationId));
  }
  return result;
}
