import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LocationState, SkuState } from './fold.ts';
import { skuAvailability, updateAvailability } from './totals.ts';

const regionOf = (locationId: string) => `r${locationId.charCodeAt(locationId.length - 1) % 3}`;
const state = fc.record({
  onHand: fc.integer({ min: -50, max: 500 }),
  reserved: fc.integer({ min: 0, max: 50 }),
  updatedAt: fc.integer({ min: 0, max: 1_000_000 }),
  lastCountAt: fc.constant(null),
  version: fc.integer({ min: 1, max: 100 }),
  inputOffset: fc.integer({ min: 0, max: 1000 }),
});
const locations = fc.dictionary(fc.constantFrom('L0', 'L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7'), state);

describe('updateAvailability', () => {
  it('equals the full recomputation from all locations, for any locations and any changes', () => {
    fc.assert(
      fc.property(locations, locations, (beforeObject, changedObject) => {
        const before: SkuState = new Map(Object.entries(beforeObject));
        const after: SkuState = new Map(before);
        const changes = Object.entries(changedObject).map(([locationId, next]) => {
          const previous = before.get(locationId);
          // Times and versions only grow per location, as the fold guarantees.
          const grown: LocationState = {
            ...next,
            updatedAt: Math.max(next.updatedAt, previous?.updatedAt ?? 0),
            version: (previous?.version ?? 0) + next.version,
          };
          after.set(locationId, grown);
          return { locationId, before: previous, after: grown };
        });
        const incremental = updateAvailability(
          before.size > 0 ? skuAvailability('A', before, regionOf) : undefined,
          'A',
          changes,
          regionOf,
        );
        expect(incremental).toEqual(skuAvailability('A', after, regionOf));
      }),
    );
  });
});
