import type { ErrorCode } from '@inventory/core';
/**
 * The mainframe's stock-movement record, fixed width, as its COBOL copybook defines it.
 * This table is the only place the layout is written down: parsing, the test fixtures and
 * the load generator all build on it.
 *
 *   01 STOCK-MOVEMENT.                       positions
 *      05 REC-TYPE      PIC X(2).     'MV'    1-2
 *      05 MOVE-CODE     PIC X(3).             3-5
 *      05 WAREHOUSE     PIC X(8).             6-13
 *      05 SKU           PIC X(20).            14-33
 *      05 QTY-SIGN      PIC X.        + or -  34
 *      05 QUANTITY      PIC 9(9).             35-43
 *      05 MOVE-DATE     PIC 9(8).     YYYYMMDD 44-51 (UTC)
 *      05 MOVE-TIME     PIC 9(6).     HHMMSS   52-57 (UTC)
 *      05 TXN-ID        PIC X(16).            58-73
 *      05 FILLER        PIC X(7).             74-80
 */
export const recordLength = 80;

export interface Field {
  name: string;
  /** 1-based start position, as in the copybook. */
  start: number;
  length: number;
  numeric: boolean;
}

export const layout: readonly Field[] = [
  { name: 'REC-TYPE', start: 1, length: 2, numeric: false },
  { name: 'MOVE-CODE', start: 3, length: 3, numeric: false },
  { name: 'WAREHOUSE', start: 6, length: 8, numeric: false },
  { name: 'SKU', start: 14, length: 20, numeric: false },
  { name: 'QTY-SIGN', start: 34, length: 1, numeric: false },
  { name: 'QUANTITY', start: 35, length: 9, numeric: true },
  { name: 'MOVE-DATE', start: 44, length: 8, numeric: true },
  { name: 'MOVE-TIME', start: 52, length: 6, numeric: true },
  { name: 'TXN-ID', start: 58, length: 16, numeric: false },
];

export type CopybookRecord = { [name: string]: string };

/** A record refused by the bridge: the reason is its dead-letter reason. */
export class RecordError extends Error {
  constructor(
    readonly reason: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Cuts a record into its fields (alphanumeric ones trimmed); refuses a wrong length or a non-digit in a numeric field. */
export function parseRecord(text: string): CopybookRecord {
  // A trailing newline is how some channels frame a record; it is not part of it.
  const line = text.replace(/\r?\n$/, '');
  if (line.length !== recordLength) {
    throw new RecordError(
      'BAD_LENGTH',
      `record is ${line.length} characters long, the layout has ${recordLength}`,
    );
  }
  const record: CopybookRecord = {};
  for (const field of layout) {
    const raw = line.slice(field.start - 1, field.start - 1 + field.length);
    if (field.numeric && !/^[0-9]+$/.test(raw)) {
      throw new RecordError(
        'NOT_NUMERIC',
        `${field.name} at ${field.start} is "${raw}", not ${field.length} digits`,
      );
    }
    record[field.name] = field.numeric ? raw : raw.trim();
  }
  return record;
}

/** Writes a record with the layout: alphanumeric fields left-aligned, numeric ones zero-padded. */
export function formatRecord(values: CopybookRecord): string {
  let line = '';
  for (const field of layout) {
    const value = values[field.name] ?? '';
    const cell = field.numeric ? value.padStart(field.length, '0') : value.padEnd(field.length, ' ');
    if (cell.length !== field.length)
      throw new RecordError('TOO_LONG', `${field.name} "${value}" is longer than ${field.length}`);
    line += cell;
  }
  return line.padEnd(recordLength, ' ');
}
