import type { RegionAvailability, SkuAvailability } from '@inventory/codec';
import type { LocationState, SkuState } from './fold.ts';

/**
 * Network-wide view of a sku, derived entirely from its locations: sums, the breakdown by
 * region (from master data), asOf = newest event time, version = sum of location versions
 * (so it grows by one with every applied event and can be recomputed after a rebuild).
 */
export function skuAvailability(
  sku: string,
  locations: SkuState,
  regionOf: (locationId: string) => string,
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
    const name = regionOf(locationId);
    const region = regions.get(name) ?? { region: name, onHand: 0, reserved: 0, available: 0 };
    region.onHand += state.onHand;
    region.reserved += state.reserved;
    region.available = region.onHand - region.reserved;
    regions.set(name, region);
  }
  return {
    sku,
    onHand,
    reserved,
    available: onHand - reserved,
    asOf,
    regions: [...regions.values()].sort((a, b) => a.region.localeCompare(b.region)),
    version,
  };
}

export interface LocationChange {
  locationId: string;
  /** undefined: the location did not hold the sku before. */
  before: LocationState | undefined;
  after: LocationState;
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
  regionOf: (locationId: string) => string,
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
    const name = regionOf(locationId);
    const region = regions.get(name) ?? { region: name, onHand: 0, reserved: 0, available: 0 };
    region.onHand += dOnHand;
    region.reserved += dReserved;
    region.available = region.onHand - region.reserved;
    regions.set(name, region);
  }
  return {
    sku,
    onHand,
    reserved,
    available: onHand - reserved,
    asOf,
    regions: [...regions.values()].sort((a, b) => a.region.localeCompare(b.region)),
    version,
  };
}
