import type { RegionAvailability, SkuAvailability } from '@inventory/codec';
import type { StoredLocation } from './stored.ts';

/**
 * A sku's totals, computed one way for every writer and reader. The network-wide figures
 * (the `total` field, inventory.availability.v1) are derived entirely from the locations:
 * sums, the breakdown by region (from master data), asOf = newest event time, version = sum
 * of location versions (so it grows by one with every applied event and is recomputed
 * exactly after a rebuild). A reader asking for some locations gets the same sums over
 * those (selectTotals); a reader asking for all gets the stored total.
 */

export type Regions = (locationId: string) => string;

function addTo(
  regions: Map<string, RegionAvailability>,
  name: string,
  onHand: number,
  reserved: number,
): void {
  const region = regions.get(name) ?? { region: name, onHand: 0, reserved: 0, available: 0 };
  region.onHand += onHand;
  region.reserved += reserved;
  region.available = region.onHand - region.reserved;
  regions.set(name, region);
}

const sortedRegions = (regions: Map<string, RegionAvailability>) =>
  [...regions.values()].sort((a, b) => a.region.localeCompare(b.region));

/** The network-wide view of a sku from all its locations. */
export function skuAvailability(
  sku: string,
  locations: ReadonlyMap<string, StoredLocation>,
  regionOf: Regions,
): SkuAvailability {
  const regions = new Map<string, RegionAvailability>();
  let onHand = 0;
  let reserved = 0;
  let asOf = 0;
  let version = 0;
  for (const [locationId, state] of locations) {
    onHand += state.onHand;
    reserved += state.reserved;
    asOf = Math.max(asOf, state.updatedAt);
    version += state.version;
    addTo(regions, regionOf(locationId), state.onHand, state.reserved);
  }
  return availability(sku, { onHand, reserved, asOf, version }, regions);
}

export interface LocationChange {
  locationId: string;
  /** undefined: the location did not hold the sku before. */
  before: StoredLocation | undefined;
  after: StoredLocation;
}

/**
 * The same view as skuAvailability, from the previous one and the locations that changed:
 * every figure is a sum (or, for asOf, a maximum of times that only grow), so adding the
 * differences gives exactly the full recomputation without reading the sku's other
 * locations. A sku with hundreds of locations then costs a batch only what it touched.
 */
export function updateAvailability(
  previous: SkuAvailability | undefined,
  sku: string,
  changes: LocationChange[],
  regionOf: Regions,
): SkuAvailability {
  const regions = new Map<string, RegionAvailability>(
    (previous?.regions ?? []).map((r) => [r.region, { ...r }]),
  );
  let onHand = previous?.onHand ?? 0;
  let reserved = previous?.reserved ?? 0;
  let asOf = previous?.asOf ?? 0;
  let version = previous?.version ?? 0;
  for (const { locationId, before, after } of changes) {
    const dOnHand = after.onHand - (before?.onHand ?? 0);
    const dReserved = after.reserved - (before?.reserved ?? 0);
    onHand += dOnHand;
    reserved += dReserved;
    asOf = Math.max(asOf, after.updatedAt);
    version += after.version - (before?.version ?? 0);
    addTo(regions, regionOf(locationId), dOnHand, dReserved);
  }
  return availability(sku, { onHand, reserved, asOf, version }, regions);
}

/** Which of a sku's locations an answer covers: some locationIds, one region, or (empty) all. */
export interface LocationFilter {
  locationIds?: string[];
  region?: string;
}

export const isUnfiltered = (filter: LocationFilter): boolean =>
  !(filter.locationIds && filter.locationIds.length > 0) && filter.region === undefined;

/** The locations of a sku a filter selects, in locationId order. */
export function selectLocations(
  locations: ReadonlyMap<string, StoredLocation>,
  filter: LocationFilter,
  regionOf: Regions,
): [string, StoredLocation][] {
  const wanted =
    filter.locationIds && filter.locationIds.length > 0 ? new Set(filter.locationIds) : undefined;
  return [...locations]
    .filter(
      ([id]) => (wanted ? wanted.has(id) : true) && (filter.region ? regionOf(id) === filter.region : true),
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface Totals {
  onHand: number;
  reserved: number;
  available: number;
  /** The newest event time applied for the sku, whatever the filter. */
  asOf: number;
}

/**
 * The figures of an answer: without a filter the stored network total, which equals the sum
 * of all locations (the property tests hold it to that); with one, the sums over the
 * selected locations.
 */
export function selectTotals(
  stored: { total: SkuAvailability | undefined; locations: ReadonlyMap<string, StoredLocation> },
  filter: LocationFilter,
  regionOf: Regions,
): Totals {
  const newest = Math.max(0, ...[...stored.locations.values()].map((l) => l.updatedAt));
  const asOf = stored.total?.asOf ?? newest;
  if (stored.total && isUnfiltered(filter)) {
    const { onHand, reserved, available } = stored.total;
    return { onHand, reserved, available, asOf };
  }
  let onHand = 0;
  let reserved = 0;
  for (const [, state] of selectLocations(stored.locations, filter, regionOf)) {
    onHand += state.onHand;
    reserved += state.reserved;
  }
  return { onHand, reserved, available: onHand - reserved, asOf };
}

/** A sku's availability from its summed figures and its regions' sums. */
function availability(
  sku: string,
  sums: { onHand: number; reserved: number; asOf: number; version: number },
  regions: Map<string, RegionAvailability>,
): SkuAvailability {
  return { sku, ...sums, available: sums.onHand - sums.reserved, regions: sortedRegions(regions) };
}
