/**
 * Where a partition's records are cut into files, as a function of the records alone, so
 * that every writer of a partition (a restarted one, or a frozen one that lost the partition
 * and wakes up after its successor wrote) cuts the same chunks and names the same files:
 * a late or repeated write replaces a file with the same rows, never adds a second copy.
 *
 * - A window is ROLL_MS of the broker's append time (the topics use LogAppendTime, which
 *   only grows within a partition): the records of a window are contiguous.
 * - A window is cut into chunks of at most ROLL_RECORDS records, counted from its first
 *   record, or from the chunk boundary a writer resumes at (commits happen only there).
 * - A chunk is complete when it is full, when a record of a later window follows it, or when
 *   its window has ended (plus a grace for clock skew) and the partition holds no record
 *   after it: every record appended later carries a later time.
 */
export interface ChunkRules {
  windowMs: number;
  maxRecords: number;
  graceMs: number;
}

export const windowOf = (appendTime: number, rules: ChunkRules): number =>
  Math.floor(appendTime / rules.windowMs);

/** The chunk being filled: its window and its offsets so far. */
export interface OpenChunk {
  window: number;
  first: number;
  last: number;
  records: number;
}

export type Placement = { kind: 'append' } | { kind: 'start-new'; closePrevious: boolean };

/** Where the record at `offset`, appended at `appendTime`, goes relative to the open chunk. */
export function place(chunk: OpenChunk | undefined, appendTime: number, rules: ChunkRules): Placement {
  if (chunk === undefined) return { kind: 'start-new', closePrevious: false };
  // A clock that went back keeps the record in the current window (append time, not ours).
  const window = Math.max(chunk.window, windowOf(appendTime, rules));
  if (window !== chunk.window) return { kind: 'start-new', closePrevious: true };
  return { kind: 'append' };
}

export const isFull = (chunk: OpenChunk, rules: ChunkRules): boolean => chunk.records >= rules.maxRecords;

/** Whether the chunk's window is over: true once its end plus the grace has passed by `now`. */
export const windowOver = (chunk: OpenChunk, now: number, rules: ChunkRules): boolean =>
  now >= (chunk.window + 1) * rules.windowMs + rules.graceMs;
