/**
 * What a stock movement is: its types, where it comes from, and which quantities each type
 * can have. Every place that admits events (HTTP ingest, the MQ bridge, the CDC normalizer)
 * and the aggregator, which dead-letters an event breaking them instead of folding it, use
 * these rules and no others.
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

/** Largest |quantity| of any event: beyond it a value is a typo or an overflow, not stock. */
export const maxAbsoluteQuantity = 1_000_000_000;

const movementTypes: ReadonlySet<InventoryEventType> = new Set([
  'SALE',
  'RETURN',
  'RECEIPT',
  'TRANSFER_OUT',
  'TRANSFER_IN',
]);

export const isEventType = (value: unknown): value is InventoryEventType =>
  typeof value === 'string' && (inventoryEventTypes as readonly string[]).includes(value);

/** Why `quantity` is impossible for `type`, or undefined when it is fine. */
export function quantityProblem(type: InventoryEventType | undefined, quantity: unknown): string | undefined {
  if (typeof quantity !== 'number' || !Number.isInteger(quantity)) return 'must be a JSON integer';
  if (Math.abs(quantity) > maxAbsoluteQuantity) {
    return `must be between -${maxAbsoluteQuantity} and ${maxAbsoluteQuantity}`;
  }
  if (type === undefined) return undefined;
  if (movementTypes.has(type) && quantity <= 0) return `must be > 0 for ${type}`;
  if (type === 'ADJUSTMENT' && quantity === 0) return 'must not be 0 for ADJUSTMENT';
  if (type === 'COUNT' && quantity < 0) return 'must be >= 0 for COUNT';
  return undefined;
}

/** The signed change of on-hand stock a movement makes; COUNT is absolute and has none. */
export function onHandDelta(type: InventoryEventType, quantity: number): number | undefined {
  switch (type) {
    case 'SALE':
    case 'TRANSFER_OUT':
      return -quantity;
    case 'RETURN':
    case 'RECEIPT':
    case 'TRANSFER_IN':
    case 'ADJUSTMENT':
      return quantity;
    case 'COUNT':
      return undefined;
  }
}

/** A stock movement or count as the platform carries it (the Avro InventoryEvent). */
export interface InventoryEvent {
  /** The deduplication key: `<namespace>:...`, see identity.ts. */
  eventId: string;
  type: InventoryEventType;
  sku: string;
  locationId: string;
  quantity: number;
  occurredAt: number;
  recordedAt: number;
  source: InventoryEventSource;
  sourceRef: string | null;
  /** The authenticated client that sent it (store systems), null for the platform's own sources. */
  clientId: string | null;
  /** The id the client gave the event, unchanged, for lineage. */
  clientEventId: string | null;
}

/**
 * The time that orders an event among the others of its location, above all against a COUNT:
 * when it happened, but never later than when the platform accepted it. A source's clock
 * may run ahead (the ingest takes an occurredAt up to 5 minutes in the future); a COUNT
 * stamped ahead would otherwise place itself after movements of other sources that really
 * came later, count them as inside it and drop them, and a delta stamped ahead would be
 * applied again on top of a count that already holds it. Deduplication keeps the event's own
 * occurredAt: a retry repeats it, not the time it was accepted.
 */
export function placedAt(event: Pick<InventoryEvent, 'occurredAt' | 'recordedAt'>): number {
  return event.recordedAt > 0 ? Math.min(event.occurredAt, event.recordedAt) : event.occurredAt;
}
