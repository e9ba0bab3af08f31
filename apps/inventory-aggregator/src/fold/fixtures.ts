import { type InventoryEvent, type InventoryEventType, inventoryEventTypes } from '@inventory/domain';
import fc from 'fast-check';
import { type FoldOptions, fold, type SequencedEvent, type SkuState } from './fold.ts';

/** Events, streams and batch folding shared by the fold's tests. */
export const t0 = Date.parse('2026-11-22T08:00:00Z');
/** Bounds that prune nothing the generated streams hold: the fold must equal the reference. */
export const unbounded: FoldOptions = { journal: { horizonMs: 365 * 24 * 3_600_000, maxEntries: 10_000 } };
let n = 0;
export const event = (
  type: InventoryEventType,
  quantity: number,
  minute: number,
  overrides: Partial<InventoryEvent> = {},
) => {
  n++;
  return {
    eventId: `e${n}`,
    type,
    sku: 'SKU-1',
    locationId: 'STORE-001',
    quantity,
    occurredAt: t0 + minute * 60_000,
    // Accepted when it happened: placedAt is the occurredAt unless a test says otherwise.
    recordedAt: t0 + minute * 60_000,
    source: 'STORE',
    sourceRef: null,
    clientId: null,
    clientEventId: null,
    ...overrides,
  } satisfies InventoryEvent;
};
export const sequence = (events: InventoryEvent[]): SequencedEvent[] =>
  events.map((e, offset) => ({ offset, event: e }));
export const foldAll = (events: InventoryEvent[], options = unbounded) => {
  const state = new Map<string, SkuState>();
  const result = fold(state, sequence(events), () => false, options);
  return { state, result };
};
export const at = (state: Map<string, SkuState>, sku = 'SKU-1', location = 'STORE-001') =>
  state.get(sku)?.get(location);

export const arbitraryEvent = fc
  .record({
    id: fc.integer({ min: 0, max: 40 }),
    type: fc.constantFrom(...inventoryEventTypes),
    quantity: fc.integer({ min: 1, max: 50 }),
    negative: fc.boolean(),
    minute: fc.integer({ min: 0, max: 120 }),
    sku: fc.constantFrom('A', 'B', 'C'),
    location: fc.constantFrom('S1', 'S2', 'W1'),
  })
  .map(
    (r): InventoryEvent => ({
      // The same id always stands for the same event, as a redelivery would.
      eventId: `id-${r.id}-${r.type}-${r.quantity}-${r.minute}-${r.sku}-${r.location}`,
      type: r.type,
      sku: r.sku,
      locationId: r.location,
      quantity: r.type === 'ADJUSTMENT' && r.negative ? -r.quantity : r.quantity,
      occurredAt: t0 + r.minute * 60_000,
      recordedAt: t0 + r.minute * 60_000,
      source: 'LOADGEN',
      sourceRef: null,
      clientId: null,
      clientEventId: null,
    }),
  );

/**
 * Folds `events` cut into batches at `cuts`, remembering applied ids between batches as Redis
 * does; `stored`: the state goes through its stored JSON between batches too.
 */
export function foldInBatches(events: SequencedEvent[], cuts: number[], options = unbounded, stored = false) {
  const state = new Map<string, SkuState>();
  const seen = new Set<string>();
  const bounds = [
    0,
    ...[...new Set(cuts.map((c) => c % (events.length + 1)))].sort((a, b) => a - b),
    events.length,
  ];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const result = fold(state, events.slice(bounds[i], bounds[i + 1]), (id) => seen.has(id), options);
    for (const { eventId } of result.applied) seen.add(eventId);
    if (stored)
      for (const locations of state.values())
        for (const [locationId, value] of locations)
          locations.set(locationId, JSON.parse(JSON.stringify(value)));
  }
  return state;
}
