/** A location's master data (GET /v1/locations). */
export interface Location {
  locationId: string;
  kind: 'STORE' | 'WAREHOUSE' | 'DISTRIBUTION_CENTRE';
  name: string;
  region: string;
  dataCentre: string;
  active: boolean;
}

export interface Figures {
  onHand: number;
  reserved: number;
  available: number;
}

/** GET /v1/availability/{sku}. */
export interface SkuView extends Figures {
  sku: string;
  inStock: boolean;
  asOf: string;
  discontinued: boolean;
  discontinuedAt?: string;
  locations: (Figures & { locationId: string; inStock: boolean; updatedAt: string })[];
}

/** One line of the per-location table: the figures with the location's master data. */
export interface StockRow extends Figures {
  locationId: string;
  name: string;
  region: string;
  kind: string;
  dataCentre: string;
  updatedAt: string;
}

export type SortKey = 'locationId' | 'name' | 'region' | 'onHand' | 'reserved' | 'available';
export interface Sort {
  key: SortKey;
  descending: boolean;
}

export interface RowFilter {
  /** Part of the location's id or name, any case. */
  text: string;
  /** '' for every region. */
  region: string;
  onlyAvailable: boolean;
}

const unknownLocation = (locationId: string) => ({
  name: locationId,
  region: 'unknown',
  kind: '',
  dataCentre: '',
});

export function rowsOf(view: SkuView, locations: readonly Location[]): StockRow[] {
  const byId = new Map(locations.map((l) => [l.locationId, l]));
  return view.locations.map((l) => {
    const master = byId.get(l.locationId) ?? unknownLocation(l.locationId);
    return {
      locationId: l.locationId,
      name: master.name,
      region: master.region,
      kind: master.kind,
      dataCentre: master.dataCentre,
      onHand: l.onHand,
      reserved: l.reserved,
      available: l.available,
      updatedAt: l.updatedAt,
    };
  });
}

/** The figures summed per region, regions in name order. */
export function byRegion(rows: readonly StockRow[]): (Figures & { region: string; locations: number })[] {
  const sums = new Map<string, Figures & { region: string; locations: number }>();
  for (const row of rows) {
    const sum = sums.get(row.region) ?? {
      region: row.region,
      onHand: 0,
      reserved: 0,
      available: 0,
      locations: 0,
    };
    sum.onHand += row.onHand;
    sum.reserved += row.reserved;
    sum.available += row.available;
    sum.locations += 1;
    sums.set(row.region, sum);
  }
  return [...sums.values()].sort((a, b) => compare(a.region, b.region));
}

/**
 * How near a location is to the chosen one, 0 nearest. The master data has regions and data
 * centres but no coordinates, so nearness is by those: the location itself, the same region,
 * the same data centre, then every other.
 */
export function distanceRank(
  chosen: Location,
  row: Pick<StockRow, 'locationId' | 'region' | 'dataCentre'>,
): number {
  if (row.locationId === chosen.locationId) return 0;
  if (row.region === chosen.region) return 1;
  if (row.dataCentre === chosen.dataCentre) return 2;
  return 3;
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

/** The rows the filter lets through, nearest first when a location is chosen, then by the sort. */
export function arrange(
  rows: readonly StockRow[],
  filter: RowFilter,
  sort: Sort,
  near?: Location,
): StockRow[] {
  const text = filter.text.trim().toLowerCase();
  const kept = rows.filter(
    (row) =>
      (text === '' || row.locationId.toLowerCase().includes(text) || row.name.toLowerCase().includes(text)) &&
      (filter.region === '' || row.region === filter.region) &&
      (!filter.onlyAvailable || row.available > 0),
  );
  const direction = sort.descending ? -1 : 1;
  return kept.sort((a, b) => {
    if (near) {
      const byDistance = distanceRank(near, a) - distanceRank(near, b);
      if (byDistance !== 0) return byDistance;
    }
    return direction * compare(a[sort.key], b[sort.key]) || compare(a.locationId, b.locationId);
  });
}

/**
 * The cells whose figure changed between two answers, as `<locationId>:<field>` (and
 * `network:<field>` for the totals): those flash on the page.
 */
export function changedCells(before: SkuView | undefined, after: SkuView): Set<string> {
  const changed = new Set<string>();
  if (!before || before.sku !== after.sku) return changed;
  const fields = ['onHand', 'reserved', 'available'] as const;
  for (const field of fields) if (before[field] !== after[field]) changed.add(`network:${field}`);
  const old = new Map(before.locations.map((l) => [l.locationId, l]));
  for (const location of after.locations) {
    const was = old.get(location.locationId);
    for (const field of fields)
      if (!was || was[field] !== location[field]) changed.add(`${location.locationId}:${field}`);
  }
  return changed;
}

/** A change from the feed applied to the network totals shown, before the details are read again. */
export function withTotals(view: SkuView, change: Figures & { sku: string; asOf: string }): SkuView {
  if (change.sku !== view.sku) return view;
  return {
    ...view,
    onHand: change.onHand,
    reserved: change.reserved,
    available: change.available,
    inStock: change.available > 0,
    asOf: change.asOf,
  };
}
