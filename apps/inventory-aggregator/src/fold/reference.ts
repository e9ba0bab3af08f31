import type { InventoryEvent } from '@inventory/codec';

/**
 * The documented rules written as plainly as possible, independent of fold.ts: the oracle
 * the fold's property tests and the integration tests compare against. Events in stream
 * order; returns onHand per `${sku}|${locationId}`.
 */
export function referenceOnHand(events: InventoryEvent[]): Map<string, number> {
  const state = new Map<string, { onHand: number; lastCountAt: number | null }>();
  const applied = new Set<string>();
  for (const e of events) {
    if (applied.has(e.eventId)) continue;
    applied.add(e.eventId);
    const key = `${e.sku}|${e.locationId}`;
    const s = state.get(key) ?? { onHand: 0, lastCountAt: null };
    if (s.lastCountAt !== null && e.occurredAt < s.lastCountAt) continue;
    if (e.type === 'COUNT') state.set(key, { onHand: e.quantity, lastCountAt: e.occurredAt });
    else {
      const sign = e.type === 'SALE' || e.type === 'TRANSFER_OUT' ? -1 : 1;
      state.set(key, { onHand: s.onHand + sign * e.quantity, lastCountAt: s.lastCountAt });
    }
  }
  return new Map([...state].map(([k, v]) => [k, v.onHand]));
}
