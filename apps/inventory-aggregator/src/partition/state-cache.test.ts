import type { SkuAvailability } from '@inventory/codec';
import type { StoredSku } from '@inventory/read-model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LocationState } from '../fold/fold.ts';
import { noChanges } from '../steps/changes.ts';
import { StateCache } from './state-cache.ts';

const location = (onHand: number): LocationState => ({
  onHand,
  reserved: 0,
  updatedAt: 1,
  lastCountAt: null,
  version: 1,
  inputOffset: 0,
});
const total = (sku: string, onHand: number) => ({ sku, onHand, version: onHand }) as SkuAvailability;
const touched = (entries: [string, string[]][]) => new Map(entries.map(([sku, l]) => [sku, new Set(l)]));
const stored = (sku: string, onHand: number, locations: [string, number][]): [string, StoredSku] => [
  sku,
  { total: total(sku, onHand), locations: new Map(locations.map(([l, n]) => [l, location(n)])) },
];

describe('StateCache', () => {
  it('reads once what it does not know, then answers from memory, absent locations included', () => {
    const cache = new StateCache(10);
    const first = cache.lookup(touched([['A', ['S1', 'S2']]]));
    expect([...first.missing]).toEqual([['A', new Set(['S1', 'S2'])]]);
    cache.remember(first, new Map([stored('A', 5, [['S1', 5]])]));
    expect(first.state.get('A')?.get('S1')?.onHand).toBe(5);
    expect(first.totals.get('A')?.onHand).toBe(5);
    const second = cache.lookup(touched([['A', ['S1', 'S2']]]));
    expect(second.missing.size).toBe(0);
    expect(second.state.get('A')?.get('S1')?.onHand).toBe(5);
    // S2 holds nothing, and that is known too.
    expect(second.state.get('A')?.has('S2')).toBe(false);
    expect(second.totals.get('A')?.onHand).toBe(5);
    // A location of a known sku not seen yet is read, with the sku's total.
    expect([...cache.lookup(touched([['A', ['S1', 'S3']]])).missing]).toEqual([['A', new Set(['S3'])]]);
  });

  it('takes a committed step, and the step gets a map of its own to change', () => {
    const cache = new StateCache(10);
    const changes = noChanges();
    changes.skus.set('B', {
      locations: new Map([['S1', location(9)]]),
      total: total('B', 9),
      journals: new Map(),
    });
    cache.commit(changes);
    const lookup = cache.lookup(touched([['B', ['S1']]]));
    expect(lookup.missing.size).toBe(0);
    expect(lookup.totals.get('B')?.onHand).toBe(9);
    lookup.state.get('B')?.set('S1', location(1));
    expect(
      cache
        .lookup(touched([['B', ['S1']]]))
        .state.get('B')
        ?.get('S1')?.onHand,
    ).toBe(9);
  });

  it('drops the least recently used skus past its size in states, and everything when cleared', () => {
    const cache = new StateCache(2);
    for (const sku of ['A', 'B']) {
      const lookup = cache.lookup(touched([[sku, ['S1']]]));
      cache.remember(lookup, new Map([stored(sku, 1, [['S1', 1]])]));
    }
    cache.lookup(touched([['A', ['S1']]]));
    const c = cache.lookup(touched([['C', ['S1']]]));
    cache.remember(c, new Map([stored('C', 1, [['S1', 1]])]));
    expect([cache.size, cache.states]).toEqual([2, 2]);
    expect(cache.lookup(touched([['B', ['S1']]])).missing.has('B')).toBe(true);
    expect(cache.lookup(touched([['A', ['S1']]])).missing.has('A')).toBe(false);
    cache.clear();
    expect(cache.states).toBe(0);
    expect(cache.lookup(touched([['A', ['S1']]])).missing.has('A')).toBe(true);
  });

  it('counts states, not skus: one sku at many locations pushes out many skus at one', () => {
    const cache = new StateCache(5);
    for (const sku of ['A', 'B', 'C']) {
      const lookup = cache.lookup(touched([[sku, ['S1']]]));
      cache.remember(lookup, new Map([stored(sku, 1, [['S1', 1]])]));
    }
    // A location known to hold nothing counts as a state too: it is not read again.
    const wide = cache.lookup(touched([['W', ['S1', 'S2', 'S3', 'S4']]]));
    cache.remember(
      wide,
      new Map([
        stored('W', 3, [
          ['S1', 1],
          ['S2', 1],
          ['S3', 1],
        ]),
      ]),
    );
    expect([cache.size, cache.states]).toEqual([2, 5]);
    expect(cache.lookup(touched([['A', ['S1']]])).missing.has('A')).toBe(true);
    expect(cache.lookup(touched([['B', ['S1']]])).missing.has('B')).toBe(true);
    const again = cache.lookup(
      touched([
        ['C', ['S1']],
        ['W', ['S1', 'S4', 'S5']],
      ]),
    );
    expect([again.fromCache, again.toRead]).toEqual([3, 1]);
    expect([...again.missing]).toEqual([['W', new Set(['S5'])]]);
    // A committed step's new location of a known sku is one state more; its known ones none.
    const changes = noChanges();
    changes.skus.set('C', {
      locations: new Map([
        ['S1', location(2)],
        ['S2', location(1)],
      ]),
      total: total('C', 3),
      journals: new Map(),
    });
    cache.commit(changes);
    expect([cache.size, cache.states]).toEqual([1, 2]);
  });

  it('holds nothing with a bound of 0', () => {
    const cache = new StateCache(0);
    const lookup = cache.lookup(touched([['A', ['S1']]]));
    cache.remember(lookup, new Map([stored('A', 1, [['S1', 1]])]));
    expect(lookup.state.get('A')?.get('S1')?.onHand).toBe(1);
    expect([cache.size, cache.states]).toEqual([0, 0]);
  });

  it('knows what a plain model of it knows, within its bound, after any steps and clears', () => {
    /** The same rule written plainly: skus in the order last used, each with the locations known. */
    class Model {
      readonly skus = new Map<string, Set<string>>();
      constructor(readonly max: number) {}
      get states() {
        return [...this.skus.values()].reduce((sum, known) => sum + known.size, 0);
      }
      missing(touched: Map<string, Set<string>>) {
        const missing = new Map<string, Set<string>>();
        for (const [sku, locations] of touched) {
          const known = this.use(sku);
          const unknown = [...locations].filter((l) => !known?.has(l));
          if (unknown.length > 0) missing.set(sku, new Set(unknown));
        }
        return missing;
      }
      know(sku: string, locations: Iterable<string>) {
        const known = this.use(sku) ?? new Set<string>();
        this.skus.set(sku, known);
        for (const l of locations) known.add(l);
      }
      evict() {
        for (const sku of this.skus.keys()) if (this.states > this.max) this.skus.delete(sku);
      }
      private use(sku: string) {
        const known = this.skus.get(sku);
        if (known) {
          this.skus.delete(sku);
          this.skus.set(sku, known);
        }
        return known;
      }
    }
    const skuIds = fc.constantFrom('A', 'B', 'C', 'D', 'E');
    const locationIds = fc.uniqueArray(fc.constantFrom('S1', 'S2', 'S3', 'S4'), { minLength: 1 });
    const step = fc.record({
      touched: fc.uniqueArray(fc.tuple(skuIds, locationIds), { selector: ([sku]) => sku, minLength: 1 }),
      committed: fc.uniqueArray(fc.tuple(skuIds, locationIds), { selector: ([sku]) => sku }),
      clear: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.array(step, { maxLength: 12 }), (max, steps) => {
        const cache = new StateCache(max);
        const model = new Model(max);
        for (const { touched: entries, committed, clear } of steps) {
          if (clear) {
            cache.clear();
            model.skus.clear();
          }
          const lookup = cache.lookup(touched(entries));
          const missing = model.missing(touched(entries));
          expect(lookup.missing).toEqual(missing);
          expect(lookup.toRead).toBe([...missing.values()].reduce((sum, l) => sum + l.size, 0));
          // Redis holds S1 and S2 of every sku: the rest are known to hold nothing.
          const read = new Map(
            [...lookup.missing.keys()].map((sku) =>
              stored(sku, 2, [
                ['S1', 1],
                ['S2', 1],
              ]),
            ),
          );
          cache.remember(lookup, read);
          for (const [sku, locations] of missing) model.know(sku, locations);
          model.evict();
          const changes = noChanges();
          for (const [sku, locations] of committed) {
            changes.skus.set(sku, {
              locations: new Map(locations.map((l) => [l, location(1)])),
              total: total(sku, locations.length),
              journals: new Map(),
            });
            model.know(sku, locations);
          }
          cache.commit(changes);
          model.evict();
          expect([cache.size, cache.states]).toEqual([model.skus.size, model.states]);
          expect(cache.states).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 300 },
    );
  });
});
