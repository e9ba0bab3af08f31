import { type InventoryEvent, type InventoryEventType, inventoryEventTypes } from '@inventory/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold, type LocationState, reservationSaleRef, type SequencedEvent, type SkuState } from './fold.ts';
import { referenceOnHand } from './reference.ts';
import { skuAvailability } from './totals.ts';

const t0 = Date.parse('2026-11-22T08:00:00Z');
let n = 0;
const event = (
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
    recordedAt: t0,
    source: 'STORE',
    sourceRef: null,
    ...overrides,
  } satisfies InventoryEvent;
};
const sequence = (events: InventoryEvent[]): SequencedEvent[] =>
  events.map((e, offset) => ({ offset, event: e }));
const foldAll = (events: InventoryEvent[]) => {
  const state = new Map<string, SkuState>();
  const result = fold(state, sequence(events), () => false);
  return { state, result };
};
const at = (state: Map<string, SkuState>, sku = 'SKU-1', location = 'STORE-001') =>
  state.get(sku)?.get(location);

describe('fold semantics', () => {
  it('a reservation sale takes its units out of reserved and onHand, even when late after a count', () => {
    const state = new Map<string, SkuState>([
      [
        'SKU-1',
        new Map([
          [
            'STORE-001',
            { onHand: 10, reserved: 4, updatedAt: t0, lastCountAt: null, version: 3, inputOffset: 2 },
          ],
        ]),
      ],
    ]);
    const sale = (minute: number, id: string) =>
      event('SALE', 3, minute, { source: 'WEBSHOP', sourceRef: reservationSaleRef(id) });
    fold(state, sequence([sale(5, 'r1')]), () => false);
    expect(at(state)).toMatchObject({ onHand: 7, reserved: 1, version: 4 });
    // A COUNT at minute 10 already saw the goods gone; a sale from minute 8 still ends the hold.
    fold(state, sequence([event('COUNT', 7, 10), sale(8, 'r2')]), () => false);
    expect(at(state)).toMatchObject({ onHand: 7, reserved: 0 });
    // A plain web-shop sale without a reservation leaves reserved alone.
    state.get('SKU-1')?.set('STORE-001', { ...(at(state) as LocationState), reserved: 2 });
    fold(state, sequence([event('SALE', 1, 20, { source: 'WEBSHOP' })]), () => false);
    expect(at(state)).toMatchObject({ onHand: 6, reserved: 2 });
  });

  it('movements add and subtract, ADJUSTMENT adds its signed quantity, COUNT sets absolutely', () => {
    const { state } = foldAll([
      event('RECEIPT', 10, 0),
      event('SALE', 3, 1),
      event('RETURN', 1, 2),
      event('TRANSFER_OUT', 2, 3),
      event('TRANSFER_IN', 5, 4),
      event('ADJUSTMENT', -4, 5),
    ]);
    expect(at(state)?.onHand).toBe(10 - 3 + 1 - 2 + 5 - 4);
    const counted = foldAll([event('RECEIPT', 10, 0), event('COUNT', 4, 10), event('SALE', 1, 11)]).state;
    expect(at(counted)).toMatchObject({
      onHand: 3,
      lastCountAt: t0 + 10 * 60_000,
      updatedAt: t0 + 11 * 60_000,
      version: 3,
    });
  });

  it('a delta older than the last COUNT is already inside it and is not applied, but counted', () => {
    const { state, result } = foldAll([event('COUNT', 20, 10), event('SALE', 5, 9), event('SALE', 1, 11)]);
    expect(at(state)?.onHand).toBe(19);
    expect(result.late).toBe(1);
    expect(at(state)?.updatedAt).toBe(t0 + 11 * 60_000);
  });

  it('an eventId is applied once, within a batch and across batches', () => {
    const sale = event('SALE', 2, 1);
    const state = new Map<string, SkuState>();
    const first = fold(state, sequence([event('RECEIPT', 10, 0), sale, sale]), () => false);
    expect(first.duplicates).toBe(1);
    const second = fold(state, [{ offset: 5, event: sale }], (id) => first.appliedEventIds.includes(id));
    expect(second.duplicates).toBe(1);
    expect(at(state)?.onHand).toBe(8);
  });

  it('network totals sum the locations, by region, with available = onHand - reserved', () => {
    const { state } = foldAll([
      event('RECEIPT', 10, 0),
      event('RECEIPT', 7, 0, { locationId: 'STORE-005' }),
      event('RECEIPT', 100, 0, { locationId: 'WH-NORTH' }),
      event('SALE', 2, 1, { locationId: 'STORE-005' }),
    ]);
    const regions: Record<string, string> = {
      'STORE-001': 'north',
      'WH-NORTH': 'north',
      'STORE-005': 'west',
    };
    const total = skuAvailability('SKU-1', state.get('SKU-1') as SkuState, (l) => regions[l] ?? 'unknown');
    expect(total).toMatchObject({ onHand: 115, available: 115, reserved: 0, version: 4, asOf: t0 + 60_000 });
    expect(total.regions).toEqual([
      { region: 'north', onHand: 110, reserved: 0, available: 110 },
      { region: 'west', onHand: 5, reserved: 0, available: 5 },
    ]);
  });
});

const arbitraryEvent = fc
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
      recordedAt: t0,
      source: 'LOADGEN',
      sourceRef: null,
    }),
  );

/** Folds `events` cut into batches at `cuts`, remembering applied ids between batches as Redis does. */
function foldInBatches(events: SequencedEvent[], cuts: number[]) {
  const state = new Map<string, SkuState>();
  const seen = new Set<string>();
  const bounds = [
    0,
    ...[...new Set(cuts.map((c) => c % (events.length + 1)))].sort((a, b) => a - b),
    events.length,
  ];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const result = fold(state, events.slice(bounds[i], bounds[i + 1]), (id) => seen.has(id));
    for (const id of result.appliedEventIds) seen.add(id);
  }
  return state;
}

describe('fold properties', () => {
  it('one batch, many batches, or a replay with duplicates give the same state', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryEvent, { maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (events, cuts, duplicatePicks) => {
          const sequenced = sequence(events);
          const once = foldInBatches(sequenced, []);
          expect(foldInBatches(sequenced, cuts)).toEqual(once);
          // Redeliveries: earlier events appear again later in the stream (at-least-once sources).
          const redelivered = [...events];
          for (const pick of duplicatePicks) {
            if (events.length > 0) redelivered.push(events[pick % events.length] as InventoryEvent);
          }
          const withDuplicates = foldInBatches(sequence(redelivered), cuts);
          // Offsets differ for the redelivered tail, everything else must be identical.
          const strip = (s: Map<string, SkuState>) =>
            [...s].map(([sku, locs]) => [sku, [...locs].map(([l, v]) => [l, { ...v, inputOffset: 0 }])]);
          expect(strip(withDuplicates)).toEqual(strip(once));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('version counts applied events and onHand equals a straightforward reference fold', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 60 }), (events) => {
        const state = new Map<string, SkuState>();
        fold(state, sequence(events), () => false);
        for (const [key, onHand] of referenceOnHand(events)) {
          const [sku, location] = key.split('|') as [string, string];
          expect(state.get(sku)?.get(location)?.onHand).toBe(onHand);
        }
      }),
      { numRuns: 300 },
    );
  });
});
