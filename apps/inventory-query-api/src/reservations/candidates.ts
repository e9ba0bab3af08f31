import type { NetworkSku } from '@inventory/read-model';

/**
 * Where a reservation without a location is asked next once a data centre refused it: the
 * data centres whose best single location in the network view covers the whole quantity,
 * the most available first (ties: by name). The aggregator chooses among its own locations
 * by the same rule (decide.ts `chooseLocation`), so each data centre asked is the one most
 * likely to confirm, and the one asked decides on its own state, not on this copy of it.
 */
export function candidateDataCentres(view: NetworkSku | undefined, quantity: number): string[] {
  if (!view) return [];
  const best = new Map<string, number>();
  for (const [locationId, state] of view.locations) {
    const dataCentre = view.dataCentreOf.get(locationId);
    if (dataCentre === undefined) continue;
    const available = state.onHand - state.reserved;
    if (available > (best.get(dataCentre) ?? Number.NEGATIVE_INFINITY)) best.set(dataCentre, available);
  }
  return [...best]
    .filter(([, available]) => available >= quantity)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .map(([dataCentre]) => dataCentre);
}
