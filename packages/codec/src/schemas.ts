import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InventoryError } from '@inventory/core';
import avro from 'avsc';
import type { SchemaName } from './types.ts';

/** The repository's schemas/ folder; every app reads the same committed .avsc files. */
export const schemasRoot = fileURLToPath(new URL('../../../schemas/', import.meta.url));

/** File of the current version of each schema, under schemas/avro. */
export const schemaFiles: Record<SchemaName, string> = {
  InventoryEvent: 'inventory-event.avsc',
  StockLevel: 'stock-level.avsc',
  SkuAvailability: 'sku-availability.avsc',
  Location: 'location.avsc',
  ReservationCommand: 'reservation-command.avsc',
  ReservationOutcome: 'reservation-outcome.avsc',
  PurchaseOrder: 'purchase-order.avsc',
  SoldQuantity: 'sold-quantity.avsc',
  Reservation: 'reservation.avsc',
};

export interface LoadedSchema {
  name: SchemaName;
  /** The schema's JSON text as the registry receives it. */
  text: string;
  type: avro.Type;
}

export function parseSchema(text: string, origin: string): avro.Type {
  try {
    // Timestamps stay epoch-millisecond numbers: no logical-type hooks are registered.
    return avro.Type.forSchema(JSON.parse(text) as avro.Schema);
  } catch (error) {
    throw new InventoryError('SCHEMA_INVALID', `schema ${origin} does not parse: ${String(error)}`, {
      cause: error,
    });
  }
}

export function loadSchema(name: SchemaName, root = schemasRoot): LoadedSchema {
  const file = join(root, 'avro', schemaFiles[name]);
  const text = JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
  return { name, text, type: parseSchema(text, file) };
}

export function loadAllSchemas(root = schemasRoot): Map<SchemaName, LoadedSchema> {
  const all = new Map<SchemaName, LoadedSchema>();
  for (const name of Object.keys(schemaFiles) as SchemaName[]) all.set(name, loadSchema(name, root));
  return all;
}

export interface HistoricalSchema {
  version: number;
  file: string;
  type: avro.Type;
}

/** Released versions of a schema, oldest first: schemas/history/<file stem>/v<N>.avsc. */
export function loadHistory(name: SchemaName, root = schemasRoot): HistoricalSchema[] {
  const dir = join(root, 'history', schemaFiles[name].replace(/\.avsc$/, ''));
  return readdirSync(dir)
    .map((file) => ({ file, match: /^v(\d+)\.avsc$/.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => {
      const path = join(dir, file);
      return { version: Number(match[1]), file: path, type: parseSchema(readFileSync(path, 'utf8'), path) };
    })
    .sort((a, b) => a.version - b.version);
}

/**
 * Backward compatibility as a registry checks it: a reader on `current` must decode
 * everything written with `previous`. Returns the reason when it cannot.
 */
export function backwardIncompatibility(current: avro.Type, previous: avro.Type): string | undefined {
  try {
    current.createResolver(previous);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
