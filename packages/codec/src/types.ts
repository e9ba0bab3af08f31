import type { InventoryEvent } from '@inventory/domain';

/**
 * TypeScript views of the Avro records in schemas/avro (the event itself is the domain's).
 * Timestamps are epoch milliseconds (Avro timestamp-millis read as long); APIs convert to
 * ISO-8601 at their edges.
 * schemas.test.ts checks sample values of each type against its schema.
 */
export {
  type InventoryEvent,
  type InventoryEventSource,
  type InventoryEventType,
  inventoryEventSources,
  inventoryEventTypes,
} from '@inventory/domain';

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
  /** [occurredAt, summed delta] after lastCountAt, ascending (the aggregator's count journal). */
  journal: { occurredAt: number; delta: number }[];
  journalFrom: number | null;
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

export const storedReservationStatuses = [
  'CONFIRMED',
  'REFUSED',
  'RELEASED',
  'COMMITTED',
  'EXPIRED',
] as const;
export type StoredReservationStatus = (typeof storedReservationStatuses)[number];

/** A reservation as the aggregator decided it (compacted topic inventory.reservations.v1). */
export interface Reservation {
  reservationId: string;
  sku: string;
  /** null only when refused without a location asked for. */
  locationId: string | null;
  quantity: number;
  status: StoredReservationStatus;
  /** Available when decided: at the location asked for, or the most at one location. */
  available: number;
  expiresAt: number | null;
  decidedAt: number;
  orderId: string | null;
  version: number;
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
  Reservation: Reservation;
}
export type SchemaName = keyof SchemaValues;
