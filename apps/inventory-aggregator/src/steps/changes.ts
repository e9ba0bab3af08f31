import type {
  InventoryEvent,
  Reservation,
  ReservationOutcome,
  SkuAvailability,
  StockLevel,
} from '@inventory/codec';
import { type JournalEdit, stockLevelOf } from '@inventory/read-model';
import type { LocationState } from '../fold/fold.ts';

/** What a step changed, as it is written to Redis and published. */
export interface StepChanges {
  /** Per changed sku: its changed locations (new state) and its new network total. */
  skus: Map<string, SkuChange>;
  /** Locations that hold a sku for the first time (the assortment index grows). */
  assortment: Map<string, string[]>;
  reservations: Reservation[];
  /** Published to the outcomes topic (plain, at least once): the API's answers. */
  outcomes: ReservationOutcome[];
  /** SALEs of committed reservations, published to the events topic (deduplicated by eventId). */
  sales: InventoryEvent[];
}

export interface SkuChange {
  locations: Map<string, LocationState>;
  total: SkuAvailability;
  /** How the changed locations' stored journals change (none listed: unchanged). */
  journals: Map<string, JournalEdit>;
}

export const noChanges = (): StepChanges => ({
  skus: new Map(),
  assortment: new Map(),
  reservations: [],
  outcomes: [],
  sales: [],
});

export const isEmpty = (changes: StepChanges): boolean =>
  changes.skus.size === 0 &&
  changes.reservations.length === 0 &&
  changes.outcomes.length === 0 &&
  changes.sales.length === 0;

/** The values the outputs carry: absolute, versioned state for the compacted topics, and the rest. */
export interface OutputValues {
  stock: StockLevel[];
  availability: SkuAvailability[];
  reservations: Reservation[];
  outcomes: ReservationOutcome[];
  sales: InventoryEvent[];
}

export function outputValues(partition: number, changes: StepChanges): OutputValues {
  const stock: StockLevel[] = [];
  const availability: SkuAvailability[] = [];
  for (const [sku, { locations, total }] of changes.skus) {
    for (const [locationId, state] of locations) stock.push(stockLevelOf(sku, locationId, state, partition));
    availability.push(total);
  }
  return {
    stock,
    availability,
    reservations: changes.reservations,
    outcomes: changes.outcomes,
    sales: changes.sales,
  };
}

/**
 * The outbox entry of a step: enough to publish its outputs again after a crash (current
 * values of the skus and reservations named, which are at least as new as the lost ones;
 * outcomes and sales as they were).
 */
export interface OutboxEntry {
  skus: string[];
  reservations: string[];
  outcomes: ReservationOutcome[];
  sales: InventoryEvent[];
}

export function outboxEntryOf(changes: StepChanges): OutboxEntry | undefined {
  if (isEmpty(changes)) return undefined;
  return {
    skus: [...changes.skus.keys()],
    reservations: changes.reservations.map((r) => r.reservationId),
    outcomes: changes.outcomes,
    sales: changes.sales,
  };
}

/** Reads an entry back; entries written as a bare list of skus name only skus. */
export function parseOutboxEntry(text: string): OutboxEntry {
  const parsed = JSON.parse(text) as Partial<OutboxEntry> | string[];
  if (Array.isArray(parsed)) return { skus: parsed, reservations: [], outcomes: [], sales: [] };
  return {
    skus: parsed.skus ?? [],
    reservations: parsed.reservations ?? [],
    outcomes: parsed.outcomes ?? [],
    sales: parsed.sales ?? [],
  };
}
