/**
 * TypeScript views of the Avro records in schemas/avro. Timestamps are epoch milliseconds
 * (Avro timestamp-millis read as long); APIs convert to ISO-8601 at their edges.
 * schemas.test.ts checks sample values of each type against its schema.
 */
export const inventoryEventTypes = [
  'SALE',
  'RETURN',
  'RECEIPT',
  'TRANSFER_OUT',
  'TRANSFER_IN',
  'ADJUSTMENT',
  'COUNT',
] as const;
export type InventoryEventType = (typeof inventoryEventTypes)[number];

export const inventoryEventSources = [
  'UNKNOWN',
  'STORE',
  'MAINFRAME',
  'SAP',
  'WEBSHOP',
  'RECONCILIATION',
  'LOADGEN',
] as const;
export type InventoryEventSource = (typeof inventoryEventSources)[number];

export interface InventoryEvent {
  eventId: string;
  type: InventoryEventType;
  sku: string;
  locationId: string;
  quantity: number;
  occurredAt: number;
  recordedAt: number;
  source: InventoryEventSource;
  sourceRef: string | null;
}

export interface StockLevel {
  sku: string;
  locationId: string;
  onHand: number;
  reserved: number;
  available: number;
  updatedAt: number;
  lastCountAt: number | null;
  version: number;
  inputPartition: number;
  inputOffset: number;
}

export interface RegionAvailability {
  region: string;
  onHand: number;
  reserved: number;
  available: number;
}

export interface SkuAvailability {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  asOf: number;
  regions: RegionAvailability[];
  version: number;
}

export const locationKinds = ['STORE', 'WAREHOUSE', 'DISTRIBUTION_CENTRE'] as const;
export type LocationKind = (typeof locationKinds)[number];

export interface Location {
  locationId: string;
  kind: LocationKind;
  name: string;
  region: string;
  dataCentre: string;
  active: boolean;
}

export interface SchemaValues {
  InventoryEvent: InventoryEvent;
  StockLevel: StockLevel;
  SkuAvailability: SkuAvailability;
  Location: Location;
}
export type SchemaName = keyof SchemaValues;
