import type { InventoryEventType } from './types.ts';

/**
 * Domain rules of an InventoryEvent's values, shared by every place that admits events
 * (HTTP ingest, MQ bridge, CDC normalizer) and by the aggregator, which dead-letters an
 * event breaking them instead of folding it.
 */
export const maxAbsoluteQuantity = 1_000_000_000;

const movementTypes: ReadonlySet<InventoryEventType> = new Set([
  'SALE',
  'RETURN',
  'RECEIPT',
  'TRANSFER_OUT',
  'TRANSFER_IN',
]);

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
