import type { Journal, JournalEntry } from '@inventory/read-model';

export { type Journal, type JournalEntry, journalOf } from '@inventory/read-model';

/**
 * Bounds of each location x sku's journal: memory and per-batch cost stay small. The journal
 * is a log in arrival order: a delta appends an entry and pruning drops entries from the
 * front, so what is stored changes only at its two ends (read-model compact.ts, JournalEdit)
 * and is never rewritten whole on a delta.
 */
export interface JournalBounds {
  /** The first entries are pruned while they are older than the location's updatedAt minus this. */
  horizonMs: number;
  /** Most entries kept; the first arrived are pruned first. */
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
 * The journal after a delta was applied at `occurredAt` (not late: at or after lastCountAt):
 * the delta appended. `updatedAt` is the location's, including this delta. `owned`: the
 * entries were created in this fold call and may be changed in place; others are shared
 * (with the state before the batch, or stored) and are copied first, so that one array is
 * copied once per call, not once per event.
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
  entries.push([occurredAt, delta]);
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
 * placed exactly again. Entries are in arrival order, so this one filters (a COUNT rewrites
 * the stored journal; a delta never does).
 */
export function placeCount(
  journal: Journal,
  countedAt: number,
  updatedAt: number,
  bounds: JournalBounds,
): CountPlacement {
  const { entries, from } = journal;
  const placed = from === null || countedAt >= from;
  let later = 0;
  const kept: JournalEntry[] = [];
  for (const entry of entries) {
    if (entry[0] <= countedAt) continue;
    later += entry[1];
    kept.push(entry);
  }
  return { placed, later: placed ? later : 0, journal: prune(kept, from, updatedAt, bounds, true) };
}

/**
 * Drops entries from the front (the first arrived) while there are more than maxEntries or
 * the first is older than the horizon (in place when `inPlace`, the entries being the
 * caller's own); the journal is then complete only after the newest dropped.
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
  let newestPruned = Number.NEGATIVE_INFINITY;
  while (
    k < entries.length &&
    (entries.length - k > bounds.maxEntries || (entries[k] as JournalEntry)[0] < oldest)
  ) {
    newestPruned = Math.max(newestPruned, (entries[k] as JournalEntry)[0]);
    k++;
  }
  if (k === 0) return { entries, from };
  if (inPlace) entries.splice(0, k);
  return {
    entries: inPlace ? entries : entries.slice(k),
    from: from === null ? newestPruned : Math.max(from, newestPruned),
  };
}
