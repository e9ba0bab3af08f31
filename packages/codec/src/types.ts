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

export const reservationCommandTypes = ['RESERVE', 'RELEASE', 'COMMIT', 'TICK'] as const;
export type ReservationCommandType = (typeof reservationCommandTypes)[number];

export interface ReservationCommand {
  type: ReservationCommandType;
  reservationId: string;
  sku: string;
  locationId: string | null;
  quantity: number;
  ttlMs: number;
  issuedAt: number;
  orderId: string | null;
  requestId: string;
}

export const reservationStatuses = [
  'CONFIRMED',
  'REFUSED',
  'RELEASED',
  'COMMITTED',
  'EXPIRED',
  'UNKNOWN',
] as const;
export type ReservationStatus = (typeof reservationStatuses)[number];

export interface ReservationOutcome {
  reservationId: string;
  requestId: string | null;
  sku: string;
  status: ReservationStatus;
  locationId: string | null;
  quantity: number;
  available: number;
  expiresAt: number | null;
  decidedAt: number;
  orderId: string | null;
}

export interface PurchaseOrderLine {
  lineNo: number;
  sku: string;
  locationId: string;
  quantity: number;
  reservationId: string;
}

export interface PurchaseOrder {
  orderId: string;
  customerRef: string | null;
  lines: PurchaseOrderLine[];
  confirmedAt: number;
}

export interface SoldQuantity {
  sku: string;
  supplierId: string;
  periodStart: number;
  periodEnd: number;
  sold: number;
  returned: number;
  events: number;
}

export interface SchemaValues {
  InventoryEvent: InventoryEvent;
  StockLevel: StockLevel;
  SkuAvailability: SkuAvailability;
  Location: Location;
  ReservationCommand: ReservationCommand;
  ReservationOutcome: ReservationOutcome;
  PurchaseOrder: PurchaseOrder;
  SoldQuantity: SoldQuantity;
}
export type SchemaName = keyof SchemaValues;
