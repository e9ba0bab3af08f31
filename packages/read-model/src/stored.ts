/** A location x sku as the hash field `l:<locationId>` holds it (JSON). */
export interface StoredLocation {
  onHand: number;
  reserved: number;
  updatedAt: number;
  lastCountAt: number | null;
  version: number;
  inputOffset: number;
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

/** A reservation as the aggregator keeps it (`{p<n>}:res:<id>`, JSON). */
export interface StoredReservation {
  reservationId: string;
  sku: string;
  /** null only when refused without a location asked for. */
  locationId: string | null;
  quantity: number;
  status: 'CONFIRMED' | 'REFUSED' | 'RELEASED' | 'COMMITTED' | 'EXPIRED';
  /** Available when decided: at the location asked for, or the most at one location. */
  available: number;
  expiresAt: number | null;
  decidedAt: number;
  orderId: string | null;
}
