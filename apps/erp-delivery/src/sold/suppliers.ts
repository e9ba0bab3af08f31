import { InventoryError } from '@inventory/core';
import { unassignedSupplier } from '../delivery/requests.ts';

export interface SupplierMasterData {
  suppliers: { supplierId: string; name?: string; skuPrefixes: string[] }[];
}

/** Validates the supplier master data and names the first problem by its path. */
export function parseSuppliers(value: unknown, origin: string): SupplierMasterData {
  const fail = (path: string, rule: string) =>
    new InventoryError('SUPPLIERS_INVALID', `${origin}: ${path} ${rule}`);
  if (typeof value !== 'object' || value === null || !Array.isArray((value as SupplierMasterData).suppliers))
    throw fail('suppliers', 'must be an array');
  const { suppliers } = value as SupplierMasterData;
  suppliers.forEach((supplier, i) => {
    if (typeof supplier?.supplierId !== 'string' || supplier.supplierId.length === 0)
      throw fail(`suppliers[${i}].supplierId`, 'must be a non-empty string');
    if (supplier.supplierId === unassignedSupplier)
      throw fail(`suppliers[${i}].supplierId`, `must not be ${unassignedSupplier}`);
    if (!Array.isArray(supplier.skuPrefixes) || supplier.skuPrefixes.some((p) => typeof p !== 'string' || !p))
      throw fail(`suppliers[${i}].skuPrefixes`, 'must be an array of non-empty strings');
  });
  return { suppliers };
}

/** The supplier of a sku: the longest matching sku prefix wins; none matching is UNASSIGNED. */
export function supplierLookup(data: SupplierMasterData | undefined): (sku: string) => string {
  const prefixes = (data?.suppliers ?? [])
    .flatMap((s) => s.skuPrefixes.map((prefix) => ({ prefix, supplierId: s.supplierId })))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const cache = new Map<string, string>();
  return (sku) => {
    let supplierId = cache.get(sku);
    if (supplierId === undefined) {
      supplierId = prefixes.find((p) => sku.startsWith(p.prefix))?.supplierId ?? unassignedSupplier;
      if (cache.size < 100_000) cache.set(sku, supplierId);
    }
    return supplierId;
  };
}
