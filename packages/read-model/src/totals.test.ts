import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredLocation } from './stored.ts';
import { type LocationFilter, selectTotals, skuAvailability, updateAvailability } from './totals.ts';

const ids = ['L0', 'L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7'];
const regionOf = (locationId: string) => `r${locationId.charCodeAt(locationId.length - 1) % 3}`;
const state = fc.record({
  onHand: fc.integer({ min: -50, max: 500 }),
  reserved: fc.integer({ min: 0, max: 50 }),
  updatedAt: fc.integer({ min: 0, max: 1_000_000 }),
  lastCountAt: fc.constant(null),
  version: fc.integer({ min: 1, max: 100 }),
  inputOffset: fc.integer({ min: 0, max: 1000 }),
});
const locations = fc.dictionary(fc.constantFrom(...ids), state);
const filter: fc.Arbitrary<LocationFilter> = fc.oneof(
  fc.constant({}),
  fc.record({ locationIds: fc.subarray(ids) }),
  fc.record({ region: fc.constantFrom('r0', 'r1', 'r2', 'r9') }),
  fc.record({ locationIds: fc.subarray(ids), region: fc.constantFrom('r0', 'r1') }),
);

describe('updateAvailability', () => {
  it('equals the full recomputation from all locations, for any locations and any changes', () => {
    fc.assert(
      fc.property(locations, locations, (beforeObject, changedObject) => {
        const before = new Map<string, StoredLocation>(Object.entries(beforeObject));
        const after = new Map(before);
        const changes = Object.entries(changedObject).map(([locationId, next]) => {
          const previous = before.get(locationId);
          // Times and versions only grow per location, as the fold guarantees.
          const grown: StoredLocation = {
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

describe('selectTotals', () => {
  it('the stored total is the sum of its locations; under a filter, the sum of the selected ones', () => {
    fc.assert(
      fc.property(locations, filter, (object, chosen) => {
        const stored = new Map<string, StoredLocation>(Object.entries(object));
        const total = stored.size > 0 ? skuAvailability('A', stored, regionOf) : undefined;
        // The reference: the plain sums, written without the filter helpers.
        let onHand = 0;
        let reserved = 0;
        for (const [id, s] of stored) {
          const byId =
            !chosen.locationIds || chosen.locationIds.length === 0 || chosen.locationIds.includes(id);
          const byRegion = chosen.region === undefined || regionOf(id) === chosen.region;
          if (byId && byRegion) {
            onHand += s.onHand;
            reserved += s.reserved;
          }
        }
        const newest = Math.max(0, ...[...stored.values()].map((s) => s.updatedAt));
        expect(selectTotals({ total, locations: stored }, chosen, regionOf)).toEqual({
          onHand,
          reserved,
          available: onHand - reserved,
          asOf: newest,
        });
      }),
    );
  });
});
