import { type InventoryEvent, onHandDelta } from '@inventory/codec';
import type { StoredLocation } from '@inventory/read-model';

/**
 * State of one sku at one location, as the read model and inventory.stock.v1 hold it:
 * version grows by one per applied event, inputOffset is the offset of the last one.
 */
export type LocationState = StoredLocation;

/** Every location of one sku; the network-wide totals are derived from it (totals.ts). */
export type SkuState = Map<string, LocationState>;

export interface SequencedEvent {
  offset: number;
  event: InventoryEvent;
}

export interface FoldResult {
  /** `${sku}\u0000${locationId}` of every location x sku that changed. */
  changed: Set<string>;
  appliedEventIds: string[];
  /** Deltas older than the location's last COUNT, and COUNTs older than it: already inside that count. */
  late: number;
  duplicates: number;
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
 */
export function fold(
  state: Map<string, SkuState>,
  events: SequencedEvent[],
  seen: (eventId: string) => boolean,
): FoldResult {
  const result: FoldResult = { changed: new Set(), appliedEventIds: [], late: 0, duplicates: 0 };
  const appliedNow = new Set<string>();
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
    };
    // The eventId counts as seen even when the event is late: a redelivery must not apply later.
    appliedNow.add(event.eventId);
    result.appliedEventIds.push(event.eventId);
    // A committed web-shop reservation becomes this sale: its units leave `reserved` as they
    // leave `onHand`, so available does not move (they were never available).
    const reserved = releasesReservation(event)
      ? Math.max(0, current.reserved - event.quantity)
      : current.reserved;
    if (current.lastCountAt !== null && event.occurredAt < current.lastCountAt) {
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
    const next: LocationState = {
      onHand: delta === undefined ? event.quantity : current.onHand + delta,
      reserved,
      updatedAt: Math.max(current.updatedAt, event.occurredAt),
      lastCountAt: delta === undefined ? event.occurredAt : current.lastCountAt,
      version: current.version + 1,
      inputOffset: offset,
    };
    sku.set(event.locationId, next);
    result.changed.add(changeKey(event.sku, event.locationId));
  }
  return result;
}
