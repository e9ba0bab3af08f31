import { InventoryError } from '@inventory/core';
import { codeRule, isCode } from '@inventory/domain';

/** One valid record of the ERP's snapshot: the stock of a sku at a location as of `asOf`. */
export interface SnapshotItem {
  sku: string;
  locationId: string;
  qty: number;
  discontinued: boolean;
}

export interface InvalidRecord {
  index: number;
  reason: string;
  record: unknown;
}

export interface Snapshot {
  /** The time the ERP's figures are true at (ms). */
  asOf: number;
  items: SnapshotItem[];
  invalid: InvalidRecord[];
}

function problem(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'not an object';
  const r = record as Record<string, unknown>;
  // The platform's rule for both (@inventory/domain): an ERP id outside it names nothing the platform holds.
  if (!isCode(r.sku)) return `sku: ${codeRule}`;
  if (!isCode(r.locationId)) return `locationId: ${codeRule}`;
  if (typeof r.qty !== 'number' || !Number.isSafeInteger(r.qty) || r.qty < 0)
    return 'qty: a non-negative integer';
  if (r.discontinued !== undefined && typeof r.discontinued !== 'boolean') return 'discontinued: a boolean';
  return undefined;
}

/**
 * Parses GET /inventory's payload `{asOf, items: [{sku, locationId, qty, discontinued?}]}`.
 * A payload that is not that shape fails the job (nothing can be trusted); a bad record is
 * set aside with its reason and the rest goes on. Records repeating a sku and location
 * are all invalid: which one is true cannot be told.
 */
export function parseSnapshot(payload: Buffer | string, fetchedAt: number): Snapshot {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString());
  } catch (error) {
    throw new InventoryError('SNAPSHOT_INVALID', 'the ERP inventory payload is not JSON', { cause: error });
  }
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { items?: unknown }).items))
    throw new InventoryError('SNAPSHOT_INVALID', 'the ERP inventory payload has no items array');
  const { asOf: rawAsOf, items: records } = value as { asOf?: unknown; items: unknown[] };
  const asOf =
    rawAsOf === undefined ? fetchedAt : typeof rawAsOf === 'string' ? Date.parse(rawAsOf) : Number.NaN;
  if (Number.isNaN(asOf)) throw new InventoryError('SNAPSHOT_INVALID', 'asOf: not an ISO-8601 time');
  if (asOf > fetchedAt + 60_000)
    throw new InventoryError('SNAPSHOT_INVALID', `asOf ${new Date(asOf).toISOString()} is in the future`);
  const items: SnapshotItem[] = [];
  const invalid: InvalidRecord[] = [];
  const count = new Map<string, number>();
  const key = (r: { sku: string; locationId: string }) => `${r.sku}\u0000${r.locationId}`;
  const valid: { index: number; record: SnapshotItem }[] = [];
  records.forEach((record, index) => {
    const reason = problem(record);
    if (reason) {
      invalid.push({ index, reason, record });
      return;
    }
    const r = record as { sku: string; locationId: string; qty: number; discontinued?: boolean };
    const item = { sku: r.sku, locationId: r.locationId, qty: r.qty, discontinued: r.discontinued === true };
    valid.push({ index, record: item });
    count.set(key(item), (count.get(key(item)) ?? 0) + 1);
  });
  for (const { index, record } of valid) {
    if ((count.get(key(record)) ?? 0) > 1)
      invalid.push({ index, reason: 'more than one record of this sku and location', record });
    else items.push(record);
  }
  invalid.sort((a, b) => a.index - b.index);
  return { asOf, items, invalid };
}
