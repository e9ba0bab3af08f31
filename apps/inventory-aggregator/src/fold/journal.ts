import type { Journal, JournalEntry } from '@inventory/read-model';

export { type Journal, type JournalEntry, journalOf } from '@inventory/read-model';

/** Bounds of each location x sku's journal: memory and per-batch cost stay small. */
export interface JournalBounds {
  /** Entries older than the location's updatedAt minus this are pruned. */
  horizonMs: number;
  /** Most entries kept (one per distinct occurredAt); the oldest are pruned first. */
  maxEntries: number;
}

export const defaultJournalBounds: JournalBounds = { horizonMs: 24 * 60 * 60 * 1000, maxEntries: 64 };

/** The stored `journal`: undefined (omitted from the JSON) when empty, as journalOf reads it back. */
export function storedEntries(journal: Journal): JournalEntry[] | undefined {
  return journal.entries.length > 0 ? (journal.entries as JournalEntry[]) : undefined;
}

/**
 * The stored `journalFrom`: undefined when journalOf infers an equivalent value. A `from` no
 * later than lastCountAt never decides anything (a COUNT before lastCountAt is late anyway).
 */
export function storedFrom(journal: Journal, lastCountAt: number | null): number | undefined {
  return journal.from !== null && (lastCountAt === null || journal.from > lastCountAt)
    ? journal.from
    : undefined;
}

/**
 * The journal after a delta was applied at `occurredAt` (not late: at or after lastCountAt).
 * `updatedAt` is the location's, including this delta. `owned`: the entries were created in
 * this fold call and may be changed in place; others are shared (with the state before the
 * batch, or stored) and are copied first, so that one array is copied once per call, not
 * once per event.
 */
export function recordDelta(
  journal: Journal,
  occurredAt: number,
  delta: number,
  lastCountAt: number | null,
  updatedAt: number,
  bounds: JournalBounds,
  owned = false,
): Journal {
  // A COUNT placed later is at or after lastCountAt and `from` and sums strictly after its
  // own time: an entry at or before either would never be summed.
  if (
    (lastCountAt !== null && occurredAt <= lastCountAt) ||
    (journal.from !== null && occurredAt <= journal.from)
  )
    return journal;
  const entries = owned ? (journal.entries as JournalEntry[]) : journal.entries.slice();
  // Deltas mostly arrive in time order: the place is found from the end.
  let i = entries.length;
  while (i > 0 && (entries[i - 1] as JournalEntry)[0] > occurredAt) i--;
  const previous = entries[i - 1];
  // Entries are replaced, never changed: a copied array still shares them.
  if (previous !== undefined && previous[0] === occurredAt)
    entries[i - 1] = [occurredAt, previous[1] + delta];
  else if (i === entries.length) entries.push([occurredAt, delta]);
  else entries.splice(i, 0, [occurredAt, delta]);
  return prune(entries, journal.from, updatedAt, bounds, true);
}

export interface CountPlacement {
  /** false: the journal is not complete after the COUNT's time (it was pruned there). */
  placed: boolean;
  /** Sum of the journal's deltas after the COUNT's time (0 when not placed). */
  later: number;
  journal: Journal;
}

/**
 * Places a COUNT at `countedAt` (not late: at or after lastCountAt). Entries at or before it
 * are inside the count and dropped; later ones stay, also when the count cannot be placed:
 * they are still every applied delta after `from`, so a later COUNT at or after `from` is
 * placed exactly again. `owned` as for recordDelta.
 */
export function placeCount(
  journal: Journal,
  countedAt: number,
  updatedAt: number,
  bounds: JournalBounds,
  owned = false,
): CountPlacement {
  const { entries, from } = journal;
  const placed = from === null || countedAt >= from;
  let later = 0;
  let i = entries.length;
  while (i > 0 && (entries[i - 1] as JournalEntry)[0] > countedAt) {
    i--;
    later += (entries[i] as JournalEntry)[1];
  }
  let kept = entries as JournalEntry[];
  if (i > 0) {
    if (owned) kept.splice(0, i);
    else kept = entries.slice(i);
  }
  return { placed, later: placed ? later : 0, journal: prune(kept, from, updatedAt, bounds, owned || i > 0) };
}

/**
 * Drops entries beyond the bounds, oldest first (in place when `inPlace`, the entries being
 * the caller's own); the journal is then complete only after the newest dropped.
 */
function prune(
  entries: JournalEntry[],
  from: number | null,
  updatedAt: number,
  bounds: JournalBounds,
  inPlace: boolean,
): Journal {
  const oldest = updatedAt - bounds.horizonMs;
  let k = 0;
  while (
    k < entries.length &&
    (entries.length - k > bounds.maxEntries || (entries[k] as JournalEntry)[0] < oldest)
  )
    k++;
  if (k === 0) return { entries, from };
  const newestPruned = (entries[k - 1] as JournalEntry)[0];
  if (inPlace) entries.splice(0, k);
  return {
    entries: inPlace ? entries : entries.slice(k),
    from: from === null ? newestPruned : Math.max(from, newestPruned),
  };
}
