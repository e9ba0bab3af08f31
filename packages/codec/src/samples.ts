import type { InventoryEvent, Location, SkuAvailability, StockLevel } from './types.ts';

/** One valid value of each schema, for tests in any package. */
export const sampleEvent: InventoryEvent = {
  eventId: 'till-0042-000123',
  type: 'SALE',
  sku: 'SKU-1001',
  locationId: 'STORE-001',
  quantity: 2,
  occurredAt: Date.parse('2026-11-22T09:15:00Z'),
  recordedAt: Date.parse('2026-11-22T09:15:01Z'),
  source: 'STORE',
  sourceRef: 'receipt 7781',
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
