import { describe, expect, it } from 'vitest';
import { freshnessOf, networkSku } from './network.ts';
import type { StoredLocation } from './stored.ts';
import { skuAvailability } from './totals.ts';

const at = (onHand: number, reserved: number, updatedAt: number, version = 1): StoredLocation => ({
  onHand,
  reserved,
  updatedAt,
  lastCountAt: null,
  version,
  inputOffset: 0,
});
const regionOf = (id: string) => (id.startsWith('N') ? 'north' : 'south');

describe('the network view over data centres', () => {
  const localLocations = new Map([
    ['N-1', at(10, 2, 1_000, 3)],
    ['S-1', at(5, 0, 2_000, 1)],
  ]);
  const local = { total: skuAvailability('A', localLocations, regionOf), locations: localLocations };

  it('adds the copies of the other data centres to the local total, region by region', () => {
    const view = networkSku(
      'A',
      local,
      'dc1',
      [
        { dataCentre: 'dc2', locations: new Map([['N-2', at(7, 1, 3_000, 2)]]) },
        { dataCentre: 'dc3', locations: new Map([['S-3', at(-2, 0, 500, 4)]]) },
      ],
      regionOf,
    );
    expect(view?.total).toEqual({
      sku: 'A',
      onHand: 20,
      reserved: 3,
      available: 17,
      asOf: 3_000,
      version: 10,
      regions: [
        { region: 'north', onHand: 17, reserved: 3, available: 14 },
        { region: 'south', onHand: 3, reserved: 0, available: 3 },
      ],
    });
    // The same as one data centre holding every location.
    expect(view?.total).toEqual(skuAvailability('A', view?.locations ?? new Map(), regionOf));
    expect(Object.fromEntries(view?.dataCentreOf ?? [])).toEqual({
      'N-1': 'dc1',
      'S-1': 'dc1',
      'N-2': 'dc2',
      'S-3': 'dc3',
    });
  });

  it('counts a location held by two parts once, the local one', () => {
    const view = networkSku(
      'A',
      local,
      'dc1',
      [{ dataCentre: 'dc2', locations: new Map([['N-1', at(99, 0, 9_000)]]) }],
      regionOf,
    );
    expect(view?.total?.onHand).toBe(15);
    expect(view?.dataCentreOf.get('N-1')).toBe('dc1');
  });

  it('answers from the copies alone when this data centre holds none of the sku, and nothing when none does', () => {
    const view = networkSku(
      'B',
      undefined,
      'dc1',
      [{ dataCentre: 'dc2', locations: new Map([['N-2', at(4, 1, 10)]]) }],
      regionOf,
    );
    expect(view?.total).toMatchObject({ onHand: 4, reserved: 1, available: 3, asOf: 10 });
    expect(networkSku('C', undefined, 'dc1', [{ dataCentre: 'dc2', locations: new Map() }], regionOf)).toBe(
      undefined,
    );
  });

  it("says per data centre how fresh its part is, and which peers' parts may be behind", () => {
    const view = networkSku(
      'A',
      local,
      'dc1',
      [{ dataCentre: 'dc2', locations: new Map([['N-2', at(7, 1, 3_000)]]) }],
      regionOf,
    );
    const now = 100_000;
    expect(freshnessOf(view, 'dc1', ['dc2', 'dc3'], new Map([['dc2', 96_000]]), now, 5_000)).toEqual([
      { dataCentre: 'dc1', local: true, asOf: 2_000, replicatedAsOf: now, lagMs: 0, stale: false },
      { dataCentre: 'dc2', local: false, asOf: 3_000, replicatedAsOf: 96_000, lagMs: 4_000, stale: false },
      { dataCentre: 'dc3', local: false, asOf: null, replicatedAsOf: null, lagMs: null, stale: true },
    ]);
    expect(freshnessOf(view, 'dc1', ['dc2'], new Map([['dc2', 94_999]]), now, 5_000)[1]).toMatchObject({
      lagMs: 5_001,
      stale: true,
    });
  });
});
