import type { NetworkSku, StoredLocation } from '@inventory/read-model';
import { describe, expect, it } from 'vitest';
import { candidateDataCentres } from './candidates.ts';

const at = (onHand: number, reserved = 0): StoredLocation => ({
  onHand,
  reserved,
  updatedAt: 1,
  lastCountAt: null,
  version: 1,
  inputOffset: 0,
});

/** A network view of one sku: [locationId, dataCentre, onHand, reserved]. */
function view(rows: [string, string, number, number][]): NetworkSku {
  return {
    total: undefined,
    locations: new Map(rows.map(([id, , onHand, reserved]) => [id, at(onHand, reserved)])),
    dataCentreOf: new Map(rows.map(([id, dc]) => [id, dc])),
  } as unknown as NetworkSku;
}

describe('the data centres to ask for a reservation without a location', () => {
  it('those whose best single location covers the quantity, the most available first', () => {
    const network = view([
      ['S-1', 'dc1', 4, 0],
      ['S-2', 'dc1', 3, 0],
      ['S-5', 'dc2', 20, 12],
      ['S-6', 'dc2', 6, 0],
      ['S-9', 'dc3', 30, 0],
    ]);
    // dc1's locations hold 7 together, but no one of them 5: a line ships from one place.
    expect(candidateDataCentres(network, 5)).toEqual(['dc3', 'dc2']);
    expect(candidateDataCentres(network, 8)).toEqual(['dc3', 'dc2']);
    expect(candidateDataCentres(network, 9)).toEqual(['dc3']);
    expect(candidateDataCentres(network, 31)).toEqual([]);
  });

  it('by name when equal, and none without a view', () => {
    const network = view([
      ['S-9', 'dc3', 10, 0],
      ['S-5', 'dc2', 12, 2],
      ['S-1', 'dc1', 9, 0],
    ]);
    expect(candidateDataCentres(network, 10)).toEqual(['dc2', 'dc3']);
    expect(candidateDataCentres(undefined, 1)).toEqual([]);
  });
});
