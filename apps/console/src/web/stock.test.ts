import { describe, expect, it } from 'vitest';
import {
  arrange,
  byRegion,
  changedCells,
  distanceRank,
  type Location,
  rowsOf,
  type SkuView,
  withTotals,
} from './stock.ts';

const location = (locationId: string, region: string, dataCentre = `dc-${region}`): Location => ({
  locationId,
  kind: 'STORE',
  name: `Store ${locationId}`,
  region,
  dataCentre,
  active: true,
});
const locations = [
  location('S-1', 'north'),
  location('S-2', 'north'),
  location('S-3', 'west', 'dc-north'),
  location('S-4', 'south'),
];
const at = '2026-12-04T10:00:00.000Z';
const figures = (locationId: string, onHand: number, reserved = 0) => ({
  locationId,
  onHand,
  reserved,
  available: onHand - reserved,
  inStock: onHand - reserved > 0,
  updatedAt: at,
});
const view: SkuView = {
  sku: 'SKU-1',
  onHand: 26,
  reserved: 3,
  available: 23,
  inStock: true,
  asOf: at,
  discontinued: false,
  locations: [
    figures('S-4', 10),
    figures('S-1', 8, 3),
    figures('S-3', 0),
    figures('S-2', 5),
    figures('X-9', 3),
  ],
};
const rows = rowsOf(view, locations);
const all = { text: '', region: '', onlyAvailable: false };

describe('the per-location table', () => {
  it('joins the figures with the master data; an unknown location keeps its id, region unknown', () => {
    expect(rows.find((r) => r.locationId === 'S-1')).toMatchObject({
      name: 'Store S-1',
      region: 'north',
      onHand: 8,
      reserved: 3,
      available: 5,
    });
    expect(rows.find((r) => r.locationId === 'X-9')).toMatchObject({ name: 'X-9', region: 'unknown' });
  });

  it('sums per region, in region order', () => {
    expect(byRegion(rows)).toEqual([
      { region: 'north', onHand: 13, reserved: 3, available: 10, locations: 2 },
      { region: 'south', onHand: 10, reserved: 0, available: 10, locations: 1 },
      { region: 'unknown', onHand: 3, reserved: 0, available: 3, locations: 1 },
      { region: 'west', onHand: 0, reserved: 0, available: 0, locations: 1 },
    ]);
  });

  it('sorts by any column both ways, ties by location', () => {
    const ids = (sorted: { locationId: string }[]) => sorted.map((r) => r.locationId);
    expect(ids(arrange(rows, all, { key: 'available', descending: true }))).toEqual([
      'S-4',
      'S-1',
      'S-2',
      'X-9',
      'S-3',
    ]);
    expect(ids(arrange(rows, all, { key: 'locationId', descending: false }))).toEqual([
      'S-1',
      'S-2',
      'S-3',
      'S-4',
      'X-9',
    ]);
    expect(ids(arrange(rows, all, { key: 'region', descending: false }))).toEqual([
      'S-1',
      'S-2',
      'S-4',
      'X-9',
      'S-3',
    ]);
  });

  it('filters by text (id or name), region and available stock', () => {
    const ids = (filter: typeof all) =>
      arrange(rows, filter, { key: 'locationId', descending: false }).map((r) => r.locationId);
    expect(ids({ ...all, text: 'store s-2' })).toEqual(['S-2']);
    expect(ids({ ...all, region: 'north' })).toEqual(['S-1', 'S-2']);
    expect(ids({ ...all, onlyAvailable: true })).toEqual(['S-1', 'S-2', 'S-4', 'X-9']);
  });

  it('puts the chosen location first, then its region, then its data centre, each group sorted', () => {
    const chosen = location('S-2', 'north');
    expect(distanceRank(chosen, rows.find((r) => r.locationId === 'S-3') as (typeof rows)[0])).toBe(2);
    const near = arrange(rows, all, { key: 'available', descending: true }, chosen).map((r) => r.locationId);
    expect(near).toEqual(['S-2', 'S-1', 'S-3', 'S-4', 'X-9']);
  });
});

describe('live changes', () => {
  it('names the cells whose figures changed, for the flash', () => {
    const after: SkuView = {
      ...view,
      onHand: 31,
      available: 28,
      locations: view.locations.map((l) => (l.locationId === 'S-2' ? figures('S-2', 10) : l)),
    };
    expect([...changedCells(view, after)].sort()).toEqual([
      'S-2:available',
      'S-2:onHand',
      'network:available',
      'network:onHand',
    ]);
    expect(changedCells(undefined, after).size).toBe(0);
    expect(changedCells({ ...view, sku: 'OTHER' }, after).size).toBe(0);
  });

  it('applies a change of the feed to the totals of its sku only', () => {
    const change = { sku: 'SKU-1', onHand: 30, reserved: 30, available: 0, asOf: '2026-12-04T11:00:00.000Z' };
    expect(withTotals(view, change)).toMatchObject({
      onHand: 30,
      reserved: 30,
      available: 0,
      inStock: false,
      asOf: change.asOf,
    });
    expect(withTotals(view, { ...change, sku: 'SKU-2' })).toBe(view);
  });
});
