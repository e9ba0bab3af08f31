import type { InventoryEvent } from '@inventory/domain';
import { referenceOnHand } from '@inventory/domain';
import { skuAvailability } from '@inventory/read-model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryEvent, at, event, foldAll, foldInBatches, sequence, t0, unbounded } from './fixtures.ts';
import { fold, type LocationState, reservationSaleRef, type SkuState } from './fold.ts';

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
    fold(state, sequence([sale(5, 'r1')]), () => false, unbounded);
    expect(at(state)).toMatchObject({ onHand: 7, reserved: 1, version: 4 });
    // A COUNT at minute 10 already saw the goods gone; a sale from minute 8 still ends the hold.
    fold(state, sequence([event('COUNT', 7, 10), sale(8, 'r2')]), () => false, unbounded);
    expect(at(state)).toMatchObject({ onHand: 7, reserved: 0 });
    // A plain web-shop sale without a reservation leaves reserved alone.
    state.get('SKU-1')?.set('STORE-001', { ...(at(state) as LocationState), reserved: 2 });
    fold(state, sequence([event('SALE', 1, 20, { source: 'WEBSHOP' })]), () => false, unbounded);
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
    const first = fold(state, sequence([event('RECEIPT', 10, 0), sale, sale]), () => false, unbounded);
    expect(first.duplicates).toBe(1);
    const second = fold(
      state,
      [{ offset: 5, event: sale }],
      (id) => first.applied.some((a) => a.eventId === id),
      unbounded,
    );
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
        fold(state, sequence(events), () => false, unbounded);
        for (const [key, onHand] of referenceOnHand(events)) {
          const [sku, location] = key.split('|') as [string, string];
          expect(state.get(sku)?.get(location)?.onHand).toBe(onHand);
        }
      }),
      { numRuns: 300 },
    );
  });
});
