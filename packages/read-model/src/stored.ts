/** A location x sku as the hash field `l:<locationId>` holds it (JSON). */
export interface StoredLocation {
  onHand: number;
  reserved: number;
  updatedAt: number;
  lastCountAt: number | null;
  version: number;
  inputOffset: number;
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
