import type { StoredSku } from './reader.ts';
import type { StoredLocation } from './stored.ts';
import type { Regions } from './totals.ts';
import { skuAvailability, updateAvailability } from './totals.ts';

/**
 * The network view of a sku across data centres. Each location has one home data centre,
 * whose aggregator is its only writer; the others hold a copy of its state (keys.ts,
 * `peer:<dc>:<sku>`). The view is the local state plus the copies: the same sums as one
 * data centre's, over every location, with each data centre's part told apart and its
 * freshness beside it.
 */

/** One other data centre's copy of a sku's locations. */
export interface PeerPart {
  dataCentre: string;
  locations: ReadonlyMap<string, StoredLocation>;
}

/** A sku over every data centre: the stored form readers already answer from, plus where each location lives. */
export interface NetworkSku extends StoredSku {
  /** The data centre whose state each location's figures come from. */
  dataCentreOf: Map<string, string>;
}

/**
 * Merges the local state with the peers' copies. A location is written by its home data
 * centre only, so it appears in one part; should master data have moved it while both
 * parts still hold it, the local part wins (the one this data centre's own reservations
 * act on) and the copy is not counted twice. The total is the local one plus the copies'
 * sums (updateAvailability adds them exactly as the aggregator's totals are kept);
 * undefined when no data centre holds the sku.
 */
export function networkSku(
  sku: string,
  local: StoredSku | undefined,
  localDataCentre: string,
  peers: readonly PeerPart[],
  regionOf: Regions,
): NetworkSku | undefined {
  const locations = new Map<string, StoredLocation>(local?.locations ?? []);
  const dataCentreOf = new Map<string, string>([...locations.keys()].map((id) => [id, localDataCentre]));
  const copied: { locationId: string; before: undefined; after: StoredLocation }[] = [];
  for (const peer of peers) {
    for (const [locationId, state] of peer.locations) {
      if (locations.has(locationId)) continue;
      locations.set(locationId, state);
      dataCentreOf.set(locationId, peer.dataCentre);
      copied.push({ locationId, before: undefined, after: state });
    }
  }
  if (locations.size === 0) return undefined;
  const total =
    local?.total === undefined
      ? skuAvailability(sku, locations, regionOf)
      : copied.length === 0
        ? local.total
        : updateAvailability(local.total, sku, copied, regionOf);
  return { total, locations, dataCentreOf };
}

/** How current one data centre's part of an answer is. */
export interface DataCentreFreshness {
  dataCentre: string;
  /** This data centre's own state, read where it is written. */
  local: boolean;
  /** The newest event time applied for the sku in that part (null: no location of it holds the sku). */
  asOf: number | null;
  /**
   * A peer's: the newest MirrorMaker heartbeat from it that has arrived here, so its part
   * holds what it had written until about then (null: nothing arrived yet). The local
   * part's is the time of the answer.
   */
  replicatedAsOf: number | null;
  /** now - replicatedAsOf (null when nothing arrived). */
  lagMs: number | null;
  /** A peer whose heartbeats are older than the bound, or never came: its figures may be behind. */
  stale: boolean;
}

export function freshnessOf(
  sku: NetworkSku | undefined,
  localDataCentre: string,
  peerDataCentres: readonly string[],
  clock: ReadonlyMap<string, number>,
  now: number,
  staleAfterMs: number,
): DataCentreFreshness[] {
  const newest = new Map<string, number>();
  for (const [locationId, state] of sku?.locations ?? []) {
    const dc = sku?.dataCentreOf.get(locationId) ?? localDataCentre;
    newest.set(dc, Math.max(newest.get(dc) ?? 0, state.updatedAt));
  }
  const local: DataCentreFreshness = {
    dataCentre: localDataCentre,
    local: true,
    asOf: newest.get(localDataCentre) ?? null,
    replicatedAsOf: now,
    lagMs: 0,
    stale: false,
  };
  return [
    local,
    ...peerDataCentres.map((dataCentre) => {
      const heartbeat = clock.get(dataCentre);
      const lagMs = heartbeat === undefined ? null : Math.max(0, now - heartbeat);
      return {
        dataCentre,
        local: false,
        asOf: newest.get(dataCentre) ?? null,
        replicatedAsOf: heartbeat ?? null,
        lagMs,
        stale: lagMs === null || lagMs > staleAfterMs,
      };
    }),
  ];
}
