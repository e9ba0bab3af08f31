import type { ErrorCode } from '@inventory/core';
import { type InventoryEvent, isCode, platformEvent } from '@inventory/domain';

/** Plant and storage location to locationId, from master data (deploy/local/seed/sap-plants.json). */
export interface PlantMapping {
  client: string;
  storageLocations: { werks: string; lgort: string; locationId: string }[];
}

export type Normalized =
  | { kind: 'event'; event: InventoryEvent }
  | { kind: 'skip'; why: string }
  | { kind: 'dead'; reason: ErrorCode; message: string };

interface MardRow {
  mandt?: unknown;
  matnr?: unknown;
  werks?: unknown;
  lgort?: unknown;
  labst?: unknown;
}

const dead = (reason: ErrorCode, message: string): Normalized => ({ kind: 'dead', reason, message });

/**
 * One Debezium change event of SAPSR3.MARD (JSON, no schema) to a canonical event:
 * - create, update and snapshot read: the row's new LABST is an absolute COUNT for the
 *   location of its plant and storage location;
 * - delete: the storage location no longer holds the material: COUNT 0;
 * - tombstone (null value, after a delete): nothing, the delete already said it;
 * - truncate, or a row whose columns are missing (a schema change): dead-lettered.
 * The eventId is the change's position in the WAL (LSN) and the row's key, so Debezium's
 * at-least-once redelivery repeats the eventId and is dropped by the aggregator, while a
 * re-run snapshot (a new LSN) only sets the same absolute counts again.
 */
export function normalize(value: unknown, mapping: PlantMapping, recordedAt: number): Normalized {
  if (value === null || value === undefined) return { kind: 'skip', why: 'tombstone' };
  if (typeof value !== 'object' || Array.isArray(value))
    return dead('NOT_A_CHANGE_EVENT', 'the value is not a JSON object');
  const change = value as { op?: unknown; before?: unknown; after?: unknown; source?: unknown };
  const source = (change.source ?? {}) as { lsn?: unknown; ts_ms?: unknown; txId?: unknown; table?: unknown };
  if (change.op === 't') return dead('TRUNCATE', 'MARD was truncated: no per-row counts can be derived');
  if (!['c', 'u', 'r', 'd'].includes(String(change.op)))
    return dead('NOT_A_CHANGE_EVENT', `op ${JSON.stringify(change.op)} is not c, u, r, d or t`);
  if (typeof source.lsn !== 'number' || typeof source.ts_ms !== 'number')
    return dead('MISSING_FIELD', 'source.lsn and source.ts_ms are required');
  const row = (change.op === 'd' ? change.before : change.after) as MardRow | null | undefined;
  if (!row || typeof row !== 'object')
    return dead('MISSING_FIELD', `the ${change.op === 'd' ? 'before' : 'after'} row is missing`);
  const missing = (['mandt', 'matnr', 'werks', 'lgort', 'labst'] as const).filter(
    (k) => typeof row[k] !== 'string',
  );
  if (missing.length > 0)
    return dead('MISSING_FIELD', `MARD columns missing or not text: ${missing.join(', ')} (schema change?)`);
  const mandt = row.mandt as string;
  const matnr = (row.matnr as string).trim();
  const werks = row.werks as string;
  const lgort = row.lgort as string;
  if (mandt !== mapping.client)
    return dead('UNKNOWN_CLIENT', `client ${mandt} is not the platform's client ${mapping.client}`);
  const location = mapping.storageLocations.find((s) => s.werks === werks && s.lgort === lgort);
  if (!location)
    return dead('UNKNOWN_PLANT', `plant ${werks} storage location ${lgort} is not mapped to a location`);
  if (!isCode(matnr)) return dead('BAD_SKU', `MATNR "${matnr}" is empty or has other characters`);
  const labst = change.op === 'd' ? 0 : Number(row.labst);
  if (!/^-?[0-9]+(\.[0-9]+)?$/.test(row.labst as string) || !Number.isInteger(labst) || labst < 0)
    return dead('BAD_QUANTITY', `LABST "${row.labst}" is not a whole, non-negative quantity`);
  return {
    kind: 'event',
    event: platformEvent('SAP', [source.lsn, mandt, matnr, werks, lgort], {
      type: 'COUNT',
      sku: matnr,
      locationId: location.locationId,
      quantity: labst,
      occurredAt: source.ts_ms,
      recordedAt,
      sourceRef: `MARD ${werks}/${lgort} lsn ${source.lsn}${source.txId === undefined ? '' : ` tx ${source.txId}`}`,
    }),
  };
}
