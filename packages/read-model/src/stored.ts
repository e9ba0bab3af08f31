import type { Reservation, SkuAvailability, StockLevel } from '@inventory/codec';
import {
  encodeLocation,
  encodeTotal,
  type LocationFigures,
  parseJournal,
  parseLocation,
  parseTotal,
} from './compact.ts';

/**
 * A location x sku: its compact text in the sku's hash (field `<locationId>`), its count
 * journal in the sku's journal hash (compact.ts).
 */
export interface StoredLocation extends LocationFigures {
  /**
   * The aggregator's count journal (absent when empty): [occurredAt, summed delta] of the
   * deltas applied after lastCountAt, ascending, one per occurredAt. A COUNT as of an
   * earlier time that arrives later adds the deltas after it. Not part of inventory.stock.v1.
   */
  journal?: [number, number][];
  /**
   * The journal holds every applied delta after this time (some before it were pruned).
   * Absent: after lastCountAt when `journal` is present, after updatedAt when it is not.
   */
  journalFrom?: number;
}

/** [occurredAt, sum of the deltas applied with that occurredAt] */
export type JournalEntry = [occurredAt: number, delta: number];

/**
 * A location's count journal as read from its stored form. Invariant: `entries` (ascending,
 * one per occurredAt) sums every applied delta whose occurredAt is after both lastCountAt
 * and `from`. So for a COUNT at T >= from, the deltas that happened after T are exactly the
 * entries after T. `from` null: nothing was ever pruned, the journal is complete.
 */
export interface Journal {
  entries: readonly JournalEntry[];
  from: number | null;
}

const noEntries: readonly JournalEntry[] = [];

/**
 * Reads the stored fields back. Part of the contract because both the aggregator (which
 * writes them) and the reconciliation job (which compares the ERP with the figure at a past
 * time) must read them the same way.
 */
export function journalOf(state: StoredLocation): Journal {
  if (state.journalFrom !== undefined)
    return { entries: state.journal ?? noEntries, from: state.journalFrom };
  if (state.journal !== undefined) return { entries: state.journal, from: null };
  // No journal at all: stored before journals existed, rebuilt from inventory.stock.v1 (which
  // has none), or empty. No applied delta is newer than updatedAt, so the journal is complete
  // after it. For an empty journal written by the aggregator updatedAt equals lastCountAt, so
  // reading it this way places every COUNT that could have been placed before.
  return { entries: noEntries, from: state.updatedAt };
}

/** A reservation as the aggregator keeps it (`{p<n>}:res:<id>`, JSON): the Avro Reservation. */
export type StoredReservation = Reservation;

// One way to write and to read each stored value: the aggregator (the writer), the query
// API, the reconciliation job and the tests all go through these.

/** A location's hash value: everything but the journal, which is stored beside it. */
export const encodeStoredLocation = (state: StoredLocation): string => encodeLocation(state);

/** A location from its hash value and, where read, its journal's (absent or empty: no journal). */
export function parseStoredLocation(value: string, journal?: string | null): StoredLocation {
  const state: StoredLocation = parseLocation(value);
  if (journal) state.journal = parseJournal(journal);
  return state;
}

export const encodeStoredTotal = (total: SkuAvailability): string => encodeTotal(total);
export const parseStoredTotal = (sku: string, value: string): SkuAvailability => parseTotal(sku, value);
export const encodeStoredReservation = (reservation: StoredReservation): string =>
  JSON.stringify(reservation);
export const parseStoredReservation = (value: string): StoredReservation =>
  JSON.parse(value) as StoredReservation;

/** A location x sku as the compacted stock topic carries it (the journal included). */
export function stockLevelOf(
  sku: string,
  locationId: string,
  state: StoredLocation,
  inputPartition: number,
): StockLevel {
  return {
    sku,
    locationId,
    onHand: state.onHand,
    reserved: state.reserved,
    available: state.onHand - state.reserved,
    updatedAt: state.updatedAt,
    lastCountAt: state.lastCountAt,
    version: state.version,
    inputPartition,
    inputOffset: state.inputOffset,
    journal: (state.journal ?? []).map(([occurredAt, delta]) => ({ occurredAt, delta })),
    journalFrom: state.journalFrom ?? null,
  };
}

/** The stored form of a stock record: exactly the state it was published from. */
export function storedLocationOf(level: StockLevel): StoredLocation {
  const state: StoredLocation = {
    onHand: level.onHand,
    reserved: level.reserved,
    updatedAt: level.updatedAt,
    lastCountAt: level.lastCountAt,
    version: level.version,
    inputOffset: level.inputOffset,
  };
  if (level.journal.length > 0) state.journal = level.journal.map((e) => [e.occurredAt, e.delta]);
  if (level.journalFrom !== null) state.journalFrom = level.journalFrom;
  return state;
}
