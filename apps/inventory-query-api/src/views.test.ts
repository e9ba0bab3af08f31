import { sampleAvailability } from '@inventory/codec';
import { describe, expect, it } from 'vitest';
import { skuView, totalsView } from './views.ts';

const t = Date.parse('2026-11-22T09:00:00Z');
const stored = {
  total: undefined,
  locations: new Map([
    ['S-1', { onHand: 5, reserved: 2, updatedAt: t, lastCountAt: null, version: 1, inputOffset: 0 }],
    ['W-1', { onHand: 0, reserved: 0, updatedAt: t + 60_000, lastCountAt: null, version: 1, inputOffset: 1 }],
    ['S-2', { onHand: 1, reserved: 1, updatedAt: t, lastCountAt: null, version: 1, inputOffset: 2 }],
  ]),
};
const regionOf = (l: string) => (l === 'S-2' ? 'west' : 'north');

describe('skuView', () => {
  it('sums the network, sorts locations, available = onHand - reserved, inStock when available > 0', () => {
    const view = skuView('A', stored, {}, regionOf);
    expect(view).toMatchObject({
      onHand: 6,
      reserved: 3,
      available: 3,
      inStock: true,
      asOf: '2026-11-22T09:01:00.000Z',
    });
    expect(view.locations.map((l) => [l.locationId, l.available, l.inStock])).toEqual([
      ['S-1', 3, true],
      ['S-2', 0, false],
      ['W-1', 0, false],
    ]);
  });

  it('filters by location and region; asOf stays the sku-wide newest event time', () => {
    expect(skuView('A', stored, { region: 'west' }, regionOf)).toMatchObject({
      onHand: 1,
      available: 0,
      inStock: false,
    });
    const byLocation = skuView('A', stored, { locationIds: ['S-1'] }, regionOf);
    expect(byLocation.locations.map((l) => l.locationId)).toEqual(['S-1']);
    expect(byLocation.asOf).toBe('2026-11-22T09:01:00.000Z');
  });

  it('totals come from the aggregator total as they are, out of stock when nothing is available', () => {
    const total = { ...sampleAvailability, sku: 'A', onHand: 4, reserved: 4, available: 0 };
    expect(totalsView(total)).toEqual({
      sku: 'A',
      onHand: 4,
      reserved: 4,
      available: 0,
      inStock: false,
      asOf: '2026-11-22T09:15:00.000Z',
    });
  });
});
