import type { SkuAvailability } from '@inventory/codec';
import { isoTime } from '@inventory/core';
import {
  type DataCentreFreshness,
  type LocationFilter,
  type Regions,
  type StoredLocation,
  type StoredSku,
  selectLocations,
  selectTotals,
} from '@inventory/read-model';

export interface LocationView {
  locationId: string;
  onHand: number;
  reserved: number;
  available: number;
  inStock: boolean;
  updatedAt: string;
  /** With several data centres: the one whose state this is, the location's home. */
  dataCentre?: string;
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

export function locationView(locationId: string, stored: StoredLocation, dataCentre?: string): LocationView {
  const available = stored.onHand - stored.reserved;
  return {
    locationId,
    onHand: stored.onHand,
    reserved: stored.reserved,
    available,
    inStock: available > 0,
    updatedAt: isoTime(stored.updatedAt),
    ...(dataCentre === undefined ? {} : { dataCentre }),
  };
}

/**
 * The answer for one sku. Without a filter the top-level numbers are the network's (the
 * stored total); with `locationId` or `region` they are the sums over the selected
 * locations (@inventory/read-model, selectTotals). asOf is always the newest event time
 * applied for the sku, whatever the filter.
 */
export function skuView(
  sku: string,
  stored: StoredSku & { dataCentreOf?: ReadonlyMap<string, string> },
  filter: LocationFilter,
  regionOf: Regions,
): SkuView {
  const totals = selectTotals(stored, filter, regionOf);
  return {
    sku,
    onHand: totals.onHand,
    reserved: totals.reserved,
    available: totals.available,
    inStock: totals.available > 0,
    asOf: isoTime(totals.asOf),
    locations: selectLocations(stored.locations, filter, regionOf).map(([id, state]) =>
      locationView(id, state, stored.dataCentreOf?.get(id)),
    ),
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
    asOf: isoTime(total.asOf),
  };
}

/** `discontinued` on every sku answer; `discontinuedAt` only when it is. */
export function discontinuedView(since: string | undefined): {
  discontinued: boolean;
  discontinuedAt?: string;
} {
  return since === undefined ? { discontinued: false } : { discontinued: true, discontinuedAt: since };
}

/** How current each data centre's part of a network answer is (read-model network.ts), times as ISO. */
export interface DataCentreView {
  dataCentre: string;
  local: boolean;
  asOf: string | null;
  replicatedAsOf: string | null;
  lagMs: number | null;
  stale: boolean;
}

const isoOrNull = (time: number | null) => (time === null ? null : isoTime(time));

export function dataCentreViews(freshness: readonly DataCentreFreshness[]): DataCentreView[] {
  return freshness.map((part) => ({
    dataCentre: part.dataCentre,
    local: part.local,
    asOf: isoOrNull(part.asOf),
    replicatedAsOf: isoOrNull(part.replicatedAsOf),
    lagMs: part.lagMs,
    stale: part.stale,
  }));
}
