import type { ErrorCode } from '@inventory/core';
import {
  beyondHorizonProblem,
  codeRule,
  type DedupPolicy,
  defaultDedupPolicy,
  type InventoryEvent,
  type InventoryEventType,
  isCode,
  platformEvent,
  quantityProblem,
} from '@inventory/domain';
import { parseRecord, RecordError } from './copybook.ts';

/** A warehouse movement, whichever format it came in. */
export interface Movement {
  txnId: string;
  moveCode: string;
  warehouse: string;
  sku: string;
  /** Signed. */
  quantity: number;
  movedAt: number;
}

/**
 * The mainframe's movement codes and the canonical event each one is. A Map, not an object
 * literal: a code like "toString" or "__proto__" must not find Object.prototype's members.
 */
export const moveCodes: ReadonlyMap<string, InventoryEventType> = new Map([
  ['REC', 'RECEIPT'],
  ['RET', 'RETURN'],
  ['ISS', 'TRANSFER_OUT'],
  ['TRI', 'TRANSFER_IN'],
  ['SAL', 'SALE'],
  ['ADJ', 'ADJUSTMENT'],
  ['CNT', 'COUNT'],
]);

export type Decoded =
  | { ok: true; event: InventoryEvent; txnId: string }
  | { ok: false; reason: ErrorCode; message: string; txnId: string | undefined };

function fromFixedWidth(text: string): Movement {
  const record = parseRecord(text);
  if (record['REC-TYPE'] !== 'MV')
    throw new RecordError(
      'UNKNOWN_RECORD_TYPE',
      `REC-TYPE is "${record['REC-TYPE']}", only MV is a movement`,
    );
  const date = record['MOVE-DATE'] as string;
  const time = record['MOVE-TIME'] as string;
  const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}Z`;
  const movedAt = Date.parse(iso);
  // Date.parse accepts 2026-02-30; a date that does not round-trip is not a real one.
  if (Number.isNaN(movedAt) || new Date(movedAt).toISOString() !== iso.replace('Z', '.000Z'))
    throw new RecordError('BAD_TIME', `MOVE-DATE/MOVE-TIME ${date} ${time} is not a real UTC time`);
  const sign = record['QTY-SIGN'];
  if (sign !== '+' && sign !== '-') throw new RecordError('BAD_SIGN', `QTY-SIGN is "${sign}", not + or -`);
  const magnitude = Number(record.QUANTITY);
  return {
    txnId: record['TXN-ID'] as string,
    moveCode: record['MOVE-CODE'] as string,
    warehouse: record.WAREHOUSE as string,
    sku: record.SKU as string,
    quantity: sign === '-' ? -magnitude : magnitude,
    movedAt,
  };
}

function fromJson(text: string): Movement {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RecordError('MALFORMED_JSON', `not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RecordError('MALFORMED_JSON', 'a movement is a JSON object');
  const v = new Map(Object.entries(value as object));
  const get = (key: string) => v.get(key);
  const missing = ['txnId', 'moveCode', 'warehouse', 'sku', 'quantity', 'movedAt'].filter(
    (k) => get(k) === undefined,
  );
  if (missing.length > 0) throw new RecordError('MISSING_FIELD', `missing ${missing.join(', ')}`);
  const moved = get('movedAt');
  const movedAt = typeof moved === 'string' ? Date.parse(moved) : Number.NaN;
  if (Number.isNaN(movedAt))
    throw new RecordError('BAD_TIME', `movedAt ${JSON.stringify(moved)} is not an ISO-8601 time`);
  for (const key of ['txnId', 'moveCode', 'warehouse', 'sku'])
    if (typeof get(key) !== 'string') throw new RecordError('WRONG_TYPE', `${key} must be a string`);
  return {
    txnId: get('txnId') as string,
    moveCode: get('moveCode') as string,
    warehouse: get('warehouse') as string,
    sku: get('sku') as string,
    quantity: get('quantity') as number,
    movedAt,
  };
}

/**
 * One MQ message to the canonical event. The eventId is derived from the mainframe's
 * transaction id only (`mainframe:<txn>`), so a redelivered message becomes the same event
 * and the aggregator's deduplication absorbs it. A movement older than the dedup horizon is
 * dead-lettered: a repeat of it could not be recognised.
 */
export function decodeMovement(
  payload: Buffer,
  contentType: string | undefined,
  receivedAt: number,
  dedup: DedupPolicy = defaultDedupPolicy,
): Decoded {
  const text = payload.toString('utf8');
  const json = contentType?.includes('json') ?? text.trimStart().startsWith('{');
  let movement: Movement | undefined;
  try {
    movement = json ? fromJson(text) : fromFixedWidth(text);
    const type = moveCodes.get(movement.moveCode);
    if (!type)
      throw new RecordError(
        'UNKNOWN_MOVE_CODE',
        `MOVE-CODE ${JSON.stringify(movement.moveCode.slice(0, 40))} is not one of ${[...moveCodes.keys()].join(', ')}`,
      );
    if (!isCode(movement.txnId))
      throw new RecordError('BAD_TXN_ID', `TXN-ID "${movement.txnId}" is not ${codeRule}`);
    if (!isCode(movement.sku)) throw new RecordError('BAD_SKU', `SKU "${movement.sku}" is not ${codeRule}`);
    if (!isCode(movement.warehouse))
      throw new RecordError('BAD_WAREHOUSE', `WAREHOUSE "${movement.warehouse}" is not ${codeRule}`);
    const problem = quantityProblem(type, movement.quantity);
    if (problem) throw new RecordError('BAD_QUANTITY', `quantity ${movement.quantity} ${problem}`);
    const old = beyondHorizonProblem(movement.movedAt, receivedAt, dedup);
    if (old)
      throw new RecordError(
        'BEYOND_DEDUP_HORIZON',
        `moved at ${new Date(movement.movedAt).toISOString()} ${old}`,
      );
    return {
      ok: true,
      txnId: movement.txnId,
      event: platformEvent('MAINFRAME', movement.txnId, {
        type,
        sku: movement.sku,
        locationId: movement.warehouse,
        quantity: movement.quantity,
        occurredAt: movement.movedAt,
        recordedAt: receivedAt,
        sourceRef: movement.txnId,
      }),
    };
  } catch (error) {
    if (!(error instanceof RecordError)) throw error;
    return { ok: false, reason: error.reason, message: error.message, txnId: movement?.txnId };
  }
}
