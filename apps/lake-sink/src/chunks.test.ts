import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChunkRules, isFull, type OpenChunk, place, windowOf, windowOver } from './chunks.ts';

const rules: ChunkRules = { windowMs: 60_000, maxRecords: 4, graceMs: 5_000 };

/** Cuts a partition's records (append times) as the sink does, from a chunk boundary. */
function cut(times: number[], from = 0, lastWindow?: number): [number, number][] {
  const chunks: [number, number][] = [];
  let chunk: OpenChunk | undefined;
  let previous = lastWindow;
  times.forEach((time, i) => {
    const offset = from + i;
    const placement = place(chunk, time, rules);
    if (placement.kind === 'start-new') {
      if (chunk && placement.closePrevious) {
        chunks.push([chunk.first, chunk.last]);
        previous = chunk.window;
      }
      chunk = {
        window: Math.max(previous ?? -Infinity, windowOf(time, rules)),
        first: offset,
        last: offset,
        records: 0,
      };
    }
    const open = chunk as OpenChunk;
    open.last = offset;
    open.records++;
    if (isFull(open, rules)) {
      chunks.push([open.first, open.last]);
      previous = open.window;
      chunk = undefined;
    }
  });
  if (chunk) chunks.push([chunk.first, chunk.last]);
  return chunks;
}

describe('chunks of a partition', () => {
  it('cut by window of append time, and within a window every maxRecords records', () => {
    const t = (minute: number, second = 0) => minute * 60_000 + second * 1000;
    expect(cut([t(0), t(0, 1), t(0, 2), t(0, 3), t(0, 4), t(0, 5), t(1), t(1, 1), t(3)])).toEqual([
      [0, 3],
      [4, 5],
      [6, 7],
      [8, 8],
    ]);
  });

  it('a writer resuming at any chunk boundary cuts the rest exactly as one that never stopped', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30_000 }), { minLength: 1, maxLength: 60 }), (steps) => {
        // Append times only grow within a partition (LogAppendTime).
        const times: number[] = [];
        for (const step of steps) times.push((times.at(-1) ?? 0) + step);
        const whole = cut(times);
        // The resuming writer knows nothing of the chunks before (as the sink after a restart).
        for (const [index, [first]] of whole.entries())
          expect(cut(times.slice(first), first)).toEqual(whole.slice(index));
      }),
    );
  });

  it('a clock going back keeps a record in the current window', () => {
    const chunk: OpenChunk = { window: 5, first: 10, last: 10, records: 1 };
    expect(place(chunk, 4 * 60_000, rules)).toEqual({ kind: 'append' });
    expect(place(chunk, 6 * 60_000, rules)).toEqual({ kind: 'start-new', closePrevious: true });
  });

  it('a window is over once its end and the grace have passed', () => {
    const chunk: OpenChunk = { window: 2, first: 0, last: 0, records: 1 };
    expect(windowOver(chunk, 3 * 60_000 + 4_999, rules)).toBe(false);
    expect(windowOver(chunk, 3 * 60_000 + 5_000, rules)).toBe(true);
  });
});
