import { describe, expect, it } from 'vitest';
import { homeOf } from './network-run.ts';
import { network, profiles } from './workload.ts';

describe("a location's home among the data centres", () => {
  const dataCentres = ['dc1', 'dc2', 'dc3'];

  it('is fixed by its id, and every data centre is home to some of the small network', () => {
    expect(['LG-STORE-0001', 'LG-STORE-0003', 'LG-STORE-0005'].map((id) => homeOf(id, dataCentres))).toEqual([
      'dc3',
      'dc1',
      'dc2',
    ]);
    const small = network(profiles.small as NonNullable<typeof profiles.small>);
    const homes = small.map((l) => homeOf(l.locationId, dataCentres));
    expect(Object.fromEntries(dataCentres.map((dc) => [dc, homes.filter((h) => h === dc).length]))).toEqual({
      dc1: 4,
      dc2: 7,
      dc3: 4,
    });
  });

  it('with one data centre is that one', () => {
    expect(homeOf('LG-STORE-0001', ['dc1'])).toBe('dc1');
  });
});
