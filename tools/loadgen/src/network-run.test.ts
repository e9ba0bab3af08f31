import { describe, expect, it } from 'vitest';
import { homeOf } from './network-run.ts';
import { network, profiles } from './workload.ts';

describe("a location's home among the data centres", () => {
  const dataCentres = ['dc1', 'dc2', 'dc3'];

  it('is fixed by its id, and every data centre is home to some of the small network', () => {
    const small = network(profiles.small as NonNullable<typeof profiles.small>);
    const homes = small.map((l) => homeOf(l.locationId, dataCentres));
    expect(small.map((l) => homeOf(l.locationId, dataCentres))).toEqual(homes);
    const counts = Object.fromEntries(dataCentres.map((dc) => [dc, homes.filter((h) => h === dc).length]));
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(15);
    for (const dc of dataCentres) expect(counts[dc], dc).toBeGreaterThan(0);
  });

  it('with one data centre is that one', () => {
    expect(homeOf('LG-STORE-0001', ['dc1'])).toBe('dc1');
  });
});
