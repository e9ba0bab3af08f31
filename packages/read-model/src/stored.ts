/** A location x sku as the hash field `l:<locationId>` holds it (JSON). */
export interface StoredLocation {
  onHand: number;
  reserved: number;
  updatedAt: number;
  lastCountAt: number | null;
  version: number;
  inputOffset: number;
}
