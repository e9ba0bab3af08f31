import type { InventoryEvent } from '@inventory/domain';
import { firstDeliveries, referenceOnHand } from '@inventory/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryEvent, at, event, foldAll, foldInBatches, sequence, t0 } from './fixtures.ts';
import { type FoldOptions, fold, type LocationState, type SkuState } from './fold.ts';
import { defaultJournalBounds } from './journal.ts';

const minute = (m: number) => t0 + m * 60_000;
const defaults: FoldOptions = { journal: defaultJournalBounds };
const bounded = (maxEntries: number, horizonMinutes = 24 * 60): FoldOptions => ({
  journal: { maxEntries, horizonMs: horizonMinutes * 60_000 },
});
const movements = ['SALE', 'RETURN', 'RECEIPT', 'TRANSFER_OUT', 'TRANSFER_IN', 'ADJUSTMENT'] as const;
const signed = (e: InventoryEvent) =>
  e.type === 'SALE' || e.type === 'TRANSFER_OUT' ? -e.quantity : e.quantity;

describe('a COUNT folded after deltas that happened after it', () => {
  it('gives its quantity plus the deltas after its time; those at or before it are inside it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.array(
          fc.record({
            minute: fc.integer({ min: 0, max: 160 }),
            type: fc.constantFrom(...movements),
            quantity: fc.integer({ min: 1, max: 20 }),
            negative: fc.boolean(),
          }),
          { maxLength: 40 },
        ),
        (q, deltas) => {
          const before = deltas.map((d) =>
            event(d.type, d.type === 'ADJUSTMENT' && d.negative ? -d.quantity : d.quantity, d.minute),
          );
          const { state, result } = foldAll(
            [...before, event('COUNT', q, 100, { source: 'RECONCILIATION' })],
            defaults,
          );
          const later = before.filter((e) => e.occurredAt > minute(100));
          expect(at(state)?.onHand).toBe(q + later.reduce((sum, e) => sum + signed(e), 0));
          expect(at(state)?.lastCountAt).toBe(minute(100));
          expect(result).toMatchObject({ unplacedCounts: 0, late: 0 });
          // Only the deltas after the count stay journaled, in arrival order.
          expect(at(state)?.journal ?? []).toEqual(later.map((e) => [e.occurredAt, signed(e)]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the reconciliation case: sales after T reached Kafka first, the snapshot at T does not lose them', () => {
    const { state } = foldAll([
      event('COUNT', 30, 0),
      event('SALE', 2, 61),
      event('SALE', 1, 62),
      event('RECEIPT', 10, 63),
      event('COUNT', 50, 60, { source: 'RECONCILIATION' }),
      event('SALE', 4, 64),
    ]);
    expect(at(state)).toMatchObject({ onHand: 50 - 2 - 1 + 10 - 4, lastCountAt: minute(60), version: 6 });
  });

  it('ties: a delta at T folded before the COUNT is inside it, one folded after it is applied', () => {
    const { state } = foldAll([event('SALE', 2, 10), event('COUNT', 20, 10), event('SALE', 3, 10)]);
    expect(at(state)?.onHand).toBe(17);
    // The second COUNT at the same time sees the sale folded before it as inside it too.
    const again = foldAll([event('COUNT', 20, 10), event('SALE', 3, 10), event('COUNT', 20, 10)]);
    expect(at(again.state)?.onHand).toBe(20);
  });

  it('a COUNT older than lastCountAt is late and ignored', () => {
    const { state, result } = foldAll([event('COUNT', 20, 10), event('SALE', 1, 11), event('COUNT', 99, 5)]);
    expect(at(state)).toMatchObject({ onHand: 19, lastCountAt: minute(10), version: 2 });
    expect(result).toMatchObject({ late: 1, unplacedCounts: 0 });
  });

  it('for a stream in time order the result is the old rule: a COUNT sets onHand absolutely', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 60 }), (events) => {
        const ordered = [...events].sort((a, b) => a.occurredAt - b.occurredAt);
        const old = new Map<string, number>();
        for (const e of firstDeliveries(ordered)) {
          const key = `${e.sku}|${e.locationId}`;
          old.set(key, e.type === 'COUNT' ? e.quantity : (old.get(key) ?? 0) + signed(e));
        }
        const state = new Map<string, SkuState>();
        fold(state, sequence(ordered), () => false, defaults);
        for (const [key, onHand] of old) {
          const [sku, location] = key.split('|') as [string, string];
          expect(at(state, sku, location)?.onHand).toBe(onHand);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('journal bounds', () => {
  it('pruned by maxEntries: an older COUNT is set absolutely and counted as unplaced', () => {
    const deltas = [11, 12, 13, 14, 15].map((m) => event('SALE', 1, m));
    const { state, result } = foldAll([...deltas, event('COUNT', 40, 10)], bounded(3));
    expect(result.unplacedCounts).toBe(1);
    expect(at(state)).toMatchObject({ onHand: 40, lastCountAt: minute(10), journalFrom: minute(12) });
    // The deltas still journaled are every one after journalFrom: a COUNT from then is exact.
    const exact = foldAll([...deltas, event('COUNT', 40, 10), event('COUNT', 30, 12)], bounded(3));
    expect(exact.result.unplacedCounts).toBe(1);
    expect(at(exact.state)?.onHand).toBe(30 - 3);
    expect(at(exact.state)?.journalFrom).toBeUndefined();
  });

  it('pruned by the horizon: an older COUNT is set absolutely and counted as unplaced', () => {
    const deltas = [event('SALE', 1, 0), event('SALE', 1, 10), event('SALE', 1, 50)];
    const late = foldAll([...deltas, event('COUNT', 40, 5)], bounded(64, 30));
    expect(late.result.unplacedCounts).toBe(1);
    expect(at(late.state)?.onHand).toBe(40);
    const placed = foldAll([...deltas, event('COUNT', 40, 10)], bounded(64, 30));
    expect(placed.result.unplacedCounts).toBe(0);
    expect(at(placed.state)?.onHand).toBe(39);
  });

  it('a record stored without journal fields (older code, or rebuilt from the stock topic) is complete after updatedAt', () => {
    const stored: LocationState = {
      onHand: 40,
      reserved: 0,
      updatedAt: minute(30),
      lastCountAt: minute(5),
      version: 7,
      inputOffset: 3,
    };
    const run = (events: InventoryEvent[]) => {
      const state = new Map<string, SkuState>([['SKU-1', new Map([['STORE-001', { ...stored }]])]]);
      const result = fold(state, sequence(events), () => false, defaults);
      return { location: at(state), result };
    };
    // Before updatedAt: the deltas it reflects are unknown.
    expect(run([event('COUNT', 25, 20)])).toMatchObject({
      location: { onHand: 25, lastCountAt: minute(20), updatedAt: minute(30) },
      result: { unplacedCounts: 1 },
    });
    // At or after updatedAt no applied delta is newer: exact. Newer deltas are journaled from there.
    expect(run([event('COUNT', 25, 30)])).toMatchObject({
      location: { onHand: 25 },
      result: { unplacedCounts: 0 },
    });
    expect(run([event('SALE', 2, 31), event('COUNT', 25, 30)])).toMatchObject({
      location: { onHand: 23, lastCountAt: minute(30) },
      result: { unplacedCounts: 0 },
    });
  });

  it('an empty journal is not stored: a stream in time order ending in a COUNT stores what it stored before', () => {
    const { state } = foldAll([event('RECEIPT', 5, 0), event('SALE', 1, 1), event('COUNT', 3, 2)]);
    expect(JSON.parse(JSON.stringify(at(state)))).toEqual({
      onHand: 3,
      reserved: 0,
      updatedAt: minute(2),
      lastCountAt: minute(2),
      version: 3,
      inputOffset: 2,
    });
  });
});

describe('fold properties with a bounded journal', () => {
  const arbitraryBounds = fc
    .record({ maxEntries: fc.integer({ min: 1, max: 5 }), horizonMinutes: fc.integer({ min: 1, max: 90 }) })
    .map((b) => bounded(b.maxEntries, b.horizonMinutes));

  it('batches and the stored JSON between them give the same state as one batch', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryEvent, { maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        arbitraryBounds,
        (events, cuts, options) => {
          const sequenced = sequence(events);
          const once = foldInBatches(sequenced, [], options);
          expect(foldInBatches(sequenced, cuts, options)).toEqual(once);
          expect(foldInBatches(sequenced, cuts, options, true)).toEqual(once);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when no COUNT was unplaced, pruning lost nothing: the fold equals the unbounded reference', () => {
    let exactRuns = 0;
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 60 }), arbitraryBounds, (events, options) => {
        const state = new Map<string, SkuState>();
        const result = fold(state, sequence(events), () => false, options);
        if (result.unplacedCounts > 0) return;
        exactRuns++;
        for (const [key, onHand] of referenceOnHand(events)) {
          const [sku, location] = key.split('|') as [string, string];
          expect(at(state, sku, location)?.onHand).toBe(onHand);
        }
      }),
      { numRuns: 300 },
    );
    expect(exactRuns).toBeGreaterThan(30);
  });

  it('the journal stays within its bounds: at most maxEntries, all after lastCountAt, the first within the horizon', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 80 }), arbitraryBounds, (events, options) => {
        const state = new Map<string, SkuState>();
        fold(state, sequence(events), () => false, options);
        for (const locations of state.values())
          for (const location of locations.values()) {
            const times = (location.journal ?? []).map(([t]) => t);
            expect(times.length).toBeLessThanOrEqual(options.journal.maxEntries);
            if (times.length > 0)
              expect(times[0]).toBeGreaterThanOrEqual(location.updatedAt - options.journal.horizonMs);
            // Entries at or before journalFrom (pruning went past them out of arrival order)
            // are never summed, and leave from the front in turn.
            for (const t of times) expect(t).toBeGreaterThan(location.lastCountAt ?? -1);
          }
      }),
      { numRuns: 300 },
    );
  });
});
