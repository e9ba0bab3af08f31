import type {
  InventoryEvent,
  Location,
  PurchaseOrder,
  Reservation,
  ReservationCommand,
  ReservationOutcome,
  SkuAvailability,
  SoldQuantity,
  StockLevel,
} from './types.ts';

/** One valid value of each schema, for tests in any package. */
export const sampleEvent: InventoryEvent = {
  eventId: 'store:store-001-tills:till-0042-000123',
  type: 'SALE',
  sku: 'SKU-1001',
  locationId: 'STORE-001',
  quantity: 2,
  occurredAt: Date.parse('2026-11-22T09:15:00Z'),
  recordedAt: Date.parse('2026-11-22T09:15:01Z'),
  source: 'STORE',
  sourceRef: 'receipt 7781',
  clientId: 'store-001-tills',
  clientEventId: 'till-0042-000123',
};

export const sampleStockLevel: StockLevel = {
  sku: 'SKU-1001',
  locationId: 'STORE-001',
  onHand: 12,
  reserved: 2,
  available: 10,
  updatedAt: Date.parse('2026-11-22T09:15:00Z'),
  lastCountAt: null,
  version: 7,
  inputPartition: 3,
  inputOffset: 4711,
  journal: [{ occurredAt: Date.parse('2026-11-22T09:14:00Z'), delta: -2 }],
  journalFrom: null,
};

export const sampleAvailability: SkuAvailability = {
  sku: 'SKU-1001',
  onHand: 120,
  reserved: 5,
  available: 115,
  asOf: Date.parse('2026-11-22T09:15:00Z'),
  regions: [{ region: 'north', onHand: 120, reserved: 5, available: 115 }],
  version: 31,
};

export const sampleLocation: Location = {
  locationId: 'STORE-001',
  kind: 'STORE',
  name: 'Hamburg Altona',
  region: 'north',
  dataCentre: 'dc-north',
  active: true,
};

export const sampleReservationCommand: ReservationCommand = {
  type: 'RESERVE',
  reservationId: 'web-order-5531:1',
  sku: 'SKU-1001',
  locationId: null,
  quantity: 1,
  ttlMs: 900_000,
  issuedAt: Date.parse('2026-11-22T09:15:00Z'),
  orderId: 'web-order-5531',
  requestId: 'req-8c1f',
};

export const sampleReservationOutcome: ReservationOutcome = {
  reservationId: 'web-order-5531:1',
  requestId: 'req-8c1f',
  sku: 'SKU-1001',
  status: 'CONFIRMED',
  locationId: 'DC-NORTH',
  quantity: 1,
  available: 41,
  expiresAt: Date.parse('2026-11-22T09:30:00Z'),
  decidedAt: Date.parse('2026-11-22T09:15:00Z'),
  orderId: 'web-order-5531',
};

export const samplePurchaseOrder: PurchaseOrder = {
  orderId: 'web-order-5531',
  customerRef: 'customer 99120',
  lines: [
    { lineNo: 1, sku: 'SKU-1001', locationId: 'DC-NORTH', quantity: 1, reservationId: 'web-order-5531:1' },
  ],
  confirmedAt: Date.parse('2026-11-22T09:15:01Z'),
};

export const sampleSoldQuantity: SoldQuantity = {
  sku: 'SKU-1001',
  supplierId: 'SUP-ACME',
  periodStart: Date.parse('2026-11-22T09:00:00Z'),
  periodEnd: Date.parse('2026-11-22T10:00:00Z'),
  sold: 14,
  returned: 1,
  events: 9,
};

export const sampleReservation: Reservation = {
  reservationId: 'web-order-5531:1',
  sku: 'SKU-1001',
  locationId: 'DC-NORTH',
  quantity: 1,
  status: 'CONFIRMED',
  available: 41,
  expiresAt: Date.parse('2026-11-22T09:30:00Z'),
  decidedAt: Date.parse('2026-11-22T09:15:00Z'),
  orderId: 'web-order-5531',
  version: 1,
};
