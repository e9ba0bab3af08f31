import type { SkuAvailability } from '@inventory/codec';
import type { LocationState, SkuState } from './fold/fold.ts';
import { type LocationChange, skuAvailability, stockLevel, updateAvailability } from './fold/totals.ts';
import { hashFields, type Outputs } from './store/redis-store.ts';

/** Absolute values of what changed, newest only: one record per location x sku and per sku. */
export function fullOutputs(
  partition: number,
  state: Map<string, SkuState>,
  changed: Set<string>,
  regionOf: (locationId: string) => string,
): Outputs {
  const stock = [];
  const skus = new Set<string>();
  for (const key of changed) {
    const [sku, locationId] = key.split('\u0000') as [string, string];
    const location = state.get(sku)?.get(locationId);
    if (!location) continue;
    stock.push(stockLevel(sku, locationId, location, partition));
    skus.add(sku);
  }
  const availability = [...skus].map((sku) => skuAvailability(sku, state.get(sku) ?? new Map(), regionOf));
  return { stock, availability };
}

/** fullOutputs for a batch that read only the touched locations: totals updated by difference. */
export function changedOutputs(
  partition: number,
  state: Map<string, SkuState>,
  totals: Map<string, SkuAvailability | undefined>,
  before: Map<string, LocationState | undefined>,
  changed: Set<string>,
  regionOf: (locationId: string) => string,
): Outputs {
  const stock = [];
  const changes = new Map<string, LocationChange[]>();
  for (const key of changed) {
    const [sku, locationId] = key.split('\u0000') as [string, string];
    const after = state.get(sku)?.get(locationId);
    if (!after) continue;
    stock.push(stockLevel(sku, locationId, after, partition));
    changes.set(sku, [...(changes.get(sku) ?? []), { locationId, before: before.get(key), after }]);
  }
  const availability = [...changes].map(([sku, list]) =>
    updateAvailability(totals.get(sku), sku, list, regionOf),
  );
  return { stock, availability };
}

/** Hash fields of each changed sku: its total and every location `state` holds for it. */
export function hashesOf(
  outputs: Outputs,
  state: Map<string, SkuState>,
): Map<string, Record<string, string>> {
  const hashes = new Map<string, Record<string, string>>();
  for (const total of outputs.availability) {
    hashes.set(total.sku, hashFields(state.get(total.sku) ?? new Map(), total));
  }
  return hashes;
}
