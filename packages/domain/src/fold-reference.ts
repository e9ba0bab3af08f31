import { type InventoryEvent, placedAt } from './movements.ts';

/** Each eventId's first delivery, in stream order: the dedup rule with an unbounded horizon. */
export function firstDeliveries<E extends { eventId: string }>(events: Iterable<E>): E[] {
  const seen = new Set<string>();
  const first: E[] = [];
  for (const e of events) {
    if (seen.has(e.eventId)) continue;
    seen.add(e.eventId);
    first.push(e);
  }
  return first;
}

/**
 * The documented rules written as plainly as possible, independent of fold.ts: the oracle
 * the fold's property tests and the integration tests compare against. Events in stream
 * order; returns onHand per `${sku}|${locationId}`. The journal here is unbounded: the fold
 * equals it as long as its bounds prune nothing a COUNT needs.
 */
export function referenceOnHand(events: InventoryEvent[]): Map<string, number> {
  type Location = { onHand: number; lastCountAt: number | null; applied: { at: number; delta: number }[] };
  const state = new Map<string, Location>();
  for (const e of firstDeliveries(events)) {
    const key = `${e.sku}|${e.locationId}`;
    const s = state.get(key) ?? { onHand: 0, lastCountAt: null, applied: [] };
    state.set(key, s);
    // An event is placed at when it happened, but never after it was accepted (a fast clock).
    const at = placedAt(e);
    // Older than the last COUNT: already inside it (a delta), or superseded by it (a COUNT).
    if (s.lastCountAt !== null && at < s.lastCountAt) continue;
    if (e.type === 'COUNT') {
      // The count is the truth at its time; the deltas applied so far that happened after
      // it still move the stock on from there.
      const after = s.applied.filter((d) => d.at > at);
      s.onHand = e.quantity + after.reduce((sum, d) => sum + d.delta, 0);
      s.lastCountAt = at;
      s.applied = after;
    } else {
      const sign = e.type === 'SALE' || e.type === 'TRANSFER_OUT' ? -1 : 1;
      s.onHand += sign * e.quantity;
      s.applied.push({ at, delta: sign * e.quantity });
    }
  }
  return new Map([...state].map(([k, v]) => [k, v.onHand]));
}
