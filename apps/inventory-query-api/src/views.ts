import type { SkuAvailability } from '@inventory/codec';
import type { StoredLocation } from '@inventory/read-model';

/** What the read model holds for one sku. */
export interface StoredSku {
  total: SkuAvailability | undefined;
  locations: Map<string, StoredLocation>;
}

export interface LocationView {
  locationId: string;
  onHand: number;
  reserved: number;
  available: number;
  inStock: boolean;
  updatedAt: string;
}

export interface SkuView {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  inStock: boolean;
  asOf: string;
  locations: LocationView[];
}

export interface LocationFilter {
  locationIds?: string[];
  region?: string;
}

export function locationView(locationId: string, stored: StoredLocation): LocationView {
  const available = stored.onHand - stored.reserved;
  return {
    locationId,
    onHand: stored.onHand,
    reserved: stored.reserved,
    available,
    inStock: available > 0,
    updatedAt: new Date(stored.updatedAt).toISOString(),
  };
}

/**
 * The answer for one sku. Without a filter the top-level numbers are the network's; with
 * `locationId` or `region` they are the sums over the selected locations. asOf is always
 * the newest event time applied for the sku, whatever the filter.
 */
export function skuView(
  sku: string,
  stored: StoredSku,
  filter: LocationFilter,
  regionOf: (locationId: string) => string,
): SkuView {
  const wanted =
    filter.locationIds && filter.locationIds.length > 0 ? new Set(filter.locationIds) : undefined;
  const locations = [...stored.locations]
    .filter(
      ([id]) => (wanted ? wanted.has(id) : true) && (filter.region ? regionOf(id) === filter.region : true),
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, state]) => locationView(id, state));
  const onHand = locations.reduce((sum, l) => sum + l.onHand, 0);
  const reserved = locations.reduce((sum, l) => sum + l.reserved, 0);
  const newest = Math.max(0, ...[...stored.locations.values()].map((l) => l.updatedAt));
  return {
    sku,
    onHand,
    reserved,
    available: onHand - reserved,
    inStock: onHand - reserved > 0,
    asOf: new Date(stored.total?.asOf ?? newest).toISOString(),
    locations,
  };
}

/** The network totals of a sku without its locations, from the aggregator's total field. */
export function totalsView(total: SkuAvailability): Omit<SkuView, 'locations'> {
  return {
    sku: total.sku,
    onHand: total.onHand,
    reserved: total.reserved,
    available: total.available,
    inStock: total.available > 0,
    asOf: new Date(total.asOf).toISOString(),
  };
}

/** `discontinued` on every sku answer; `discontinuedAt` only when it is. */
export function discontinuedView(since: string | undefined): {
  discontinued: boolean;
  discontinuedAt?: string;
} {
  return since === undefined ? { discontinued: false } : { discontinued: true, discontinuedAt: since };
}
