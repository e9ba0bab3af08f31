import type { RegionAvailability, SkuAvailability } from '@inventory/codec';

/**
 * The stored values' compact text forms. A read model of hundreds of millions of location x
 * sku states is sized by the bytes of each: a location is about 30-40 bytes here against
 * 150-200 as JSON, a journal entry about 12, and small hashes of such values stay in Redis'
 * listpack encoding. Integers are written in base 36 (JavaScript's own toString/parseInt;
 * exact up to 2^53), times that are usually close to another time as the difference.
 */

const n36 = (value: number): string => value.toString(36);
const p36 = (text: string): number => {
  const value = Number.parseInt(text, 36);
  if (!Number.isSafeInteger(value)) throw new Error(`not a base-36 integer: "${text}"`);
  return value;
};

/** The figures of a location x sku, what its compact text holds besides the journal's start. */
export interface LocationFigures {
  onHand: number;
  reserved: number;
  updatedAt: number;
  lastCountAt: number | null;
  version: number;
  inputOffset: number;
}

/** A location x sku without its journal (which is stored beside it, compactJournal). */
export interface CompactLocation extends LocationFigures {
  journalFrom?: number;
}

/**
 * `onHand,reserved,updatedAt,updatedAt-lastCountAt,version,inputOffset[,updatedAt-journalFrom]`,
 * an empty field for a null lastCountAt, the last field only when journalFrom is set.
 */
export function encodeLocation(state: CompactLocation): string {
  const since = (time: number | null | undefined) =>
    time === null || time === undefined ? '' : n36(state.updatedAt - time);
  const head = `${n36(state.onHand)},${n36(state.reserved)},${n36(state.updatedAt)},${since(state.lastCountAt)},${n36(state.version)},${n36(state.inputOffset)}`;
  return state.journalFrom === undefined ? head : `${head},${since(state.journalFrom)}`;
}

/**
 * Read in one pass over the characters, without splitting: a read of a sku parses one of
 * these per location (50-200 per answer), and split plus parseInt had 7.5 % of a read's
 * profile together. Stricter than parseInt: a field holds only a sign and base-36 digits.
 */
export function parseLocation(text: string): CompactLocation {
  // The fields as read, NaN for an empty one: in locals, where an array of them made the
  // parse twice as slow (bench/parse.ts).
  let onHand = Number.NaN;
  let reserved = Number.NaN;
  let updatedAt = Number.NaN;
  let lastCount = Number.NaN;
  let version = Number.NaN;
  let inputOffset = Number.NaN;
  let journalFrom = Number.NaN;
  let field = 0;
  let value = 0;
  let digits = 0;
  let negative = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? comma : text.charCodeAt(i);
    if (c === comma) {
      if (digits === 0 && negative) throw notLocation(text);
      if (digits > 0 && !Number.isSafeInteger(value)) throw notLocation(text);
      const read = digits === 0 ? Number.NaN : negative ? -value : value;
      if (field === 0) onHand = read;
      else if (field === 1) reserved = read;
      else if (field === 2) updatedAt = read;
      else if (field === 3) lastCount = read;
      else if (field === 4) version = read;
      else if (field === 5) inputOffset = read;
      else if (field === 6) journalFrom = read;
      else throw notLocation(text);
      field++;
      value = 0;
      digits = 0;
      negative = false;
    } else if (c === minus && digits === 0 && !negative) negative = true;
    else {
      const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : -1;
      if (digit < 0) throw notLocation(text);
      value = value * 36 + digit;
      digits++;
    }
  }
  if (
    field < 6 ||
    Number.isNaN(onHand) ||
    Number.isNaN(reserved) ||
    Number.isNaN(updatedAt) ||
    Number.isNaN(version) ||
    Number.isNaN(inputOffset) ||
    (field === 7 && Number.isNaN(journalFrom))
  )
    throw notLocation(text);
  const state: CompactLocation = {
    onHand,
    reserved,
    updatedAt,
    lastCountAt: Number.isNaN(lastCount) ? null : updatedAt - lastCount,
    version,
    inputOffset,
  };
  if (field === 7) state.journalFrom = updatedAt - journalFrom;
  return state;
}

const comma = 44;
const minus = 45;
const notLocation = (text: string) => new Error(`not a stored location: "${text}"`);

/** [occurredAt, delta] */
export type CompactEntry = readonly [number, number];

/** One journal entry: `occurredAt:delta;` (entries are appended as they come, never rewritten). */
export const encodeEntry = ([occurredAt, delta]: CompactEntry): string => `${n36(occurredAt)}:${n36(delta)};`;

export const encodeJournal = (entries: readonly CompactEntry[]): string => entries.map(encodeEntry).join('');

export function parseJournal(text: string): [number, number][] {
  const entries: [number, number][] = [];
  if (text === '') return entries;
  if (!text.endsWith(';')) throw new Error(`not a stored journal: "${text.slice(0, 40)}"`);
  for (const entry of text.slice(0, -1).split(';')) {
    const at = entry.indexOf(':');
    if (at <= 0) throw new Error(`not a journal entry: "${entry}"`);
    entries.push([p36(entry.slice(0, at)), p36(entry.slice(at + 1))]);
  }
  return entries;
}

/**
 * How a stored journal changes: its first `drop` characters removed (the oldest entries) and
 * `append` added at its end, or (drop = -1) replaced by `append` as a whole. A delta appends
 * an entry and prunes from the front, so a busy location's write is a few bytes, never its
 * whole journal.
 */
export interface JournalEdit {
  drop: number;
  append: string;
}

/**
 * The edit that turns the journal `before` into `after`: `after` is mostly `before` without
 * its first k entries plus new ones (found by comparing entries, at most a few dozen); where
 * it is not (a COUNT keeps only the entries after its time), the journal is replaced.
 */
export function journalEdit(before: readonly CompactEntry[], after: readonly CompactEntry[]): JournalEdit {
  const same = (a: CompactEntry | undefined, b: CompactEntry | undefined) =>
    a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1];
  let dropped = 0;
  for (let k = 0; k <= before.length; k++) {
    const kept = before.length - k;
    if (kept <= after.length) {
      let equal = true;
      for (let i = 0; i < kept && equal; i++) equal = same(before[k + i], after[i]);
      if (equal) return { drop: dropped, append: encodeJournal(after.slice(kept)) };
    }
    if (k < before.length) dropped += encodeEntry(before[k] as CompactEntry).length;
  }
  return { drop: -1, append: encodeJournal(after) };
}

/** A stored journal after an edit (what the aggregator's atomic step does in Redis). */
export const applyJournalEdit = (stored: string, edit: JournalEdit): string =>
  edit.drop < 0 ? edit.append : stored.slice(edit.drop) + edit.append;

/**
 * A sku's network total: `onHand,reserved,asOf,version` then `;region,onHand,reserved` per
 * region (available is onHand - reserved, the sku the key's).
 */
export function encodeTotal(total: SkuAvailability): string {
  let text = `${n36(total.onHand)},${n36(total.reserved)},${n36(total.asOf)},${n36(total.version)}`;
  for (const r of total.regions) {
    // Region names come from master data: one with a separator would corrupt the value.
    if (/[,;]/.test(r.region)) throw new Error(`region "${r.region}" contains ',' or ';'`);
    text += `;${r.region},${n36(r.onHand)},${n36(r.reserved)}`;
  }
  return text;
}

export function parseTotal(sku: string, text: string): SkuAvailability {
  const [head, ...regionTexts] = text.split(';');
  const fields = (head as string).split(',');
  if (fields.length !== 4) throw new Error(`not a stored total: "${text.slice(0, 60)}"`);
  const [onHand, reserved, asOf, version] = fields.map(p36) as [number, number, number, number];
  const regions: RegionAvailability[] = regionTexts.map((r) => {
    const [region, rOnHand, rReserved] = r.split(',') as [string, string, string];
    const on = p36(rOnHand);
    const res = p36(rReserved);
    return { region, onHand: on, reserved: res, available: on - res };
  });
  return { sku, onHand, reserved, available: onHand - reserved, asOf, regions, version };
}
