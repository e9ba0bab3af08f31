import type { StoredLocation } from '@inventory/read-model';
import { describe, expect, it } from 'vitest';
import { type Journal, journalOf, placeCount, recordDelta, storedEntries, storedFrom } from './journal.ts';

const wide = { horizonMs: 1_000_000, maxEntries: 100 };
const location = (overrides: Partial<StoredLocation> = {}): StoredLocation => ({
  onHand: 0,
  reserved: 0,
  updatedAt: 100,
  lastCountAt: 50,
  version: 1,
  inputOffset: 0,
  ...overrides,
});
const complete = (entries: [number, number][] = []): Journal => ({ entries, from: null });

describe('count journal', () => {
  it('appends each delta in arrival order (the stored journal only grows at its end)', () => {
    let j = complete();
    for (const [at, delta] of [
      [10, -1],
      [30, -2],
      [20, 5],
      [30, -1],
      [5, 4],
    ] as const)
      j = recordDelta(j, at, delta, null, 30, wide);
    expect(j).toEqual({
      entries: [
        [10, -1],
        [30, -2],
        [20, 5],
        [30, -1],
        [5, 4],
      ],
      from: null,
    });
  });

  it('does not record what no placed COUNT could sum: at or before lastCountAt or from', () => {
    const j: Journal = { entries: [[60, 1]], from: 55 };
    expect(recordDelta(j, 50, -1, 50, 100, wide)).toBe(j);
    expect(recordDelta(j, 55, -1, 50, 100, wide)).toBe(j);
    expect(recordDelta(j, 56, -1, 50, 100, wide).entries).toEqual([
      [60, 1],
      [56, -1],
    ]);
  });

  it('never mutates the entries it was given (the state before the batch shares them)', () => {
    const entries: [number, number][] = [
      [10, 1],
      [20, 1],
    ];
    const j = complete(entries);
    recordDelta(j, 20, 1, null, 20, wide);
    recordDelta(j, 15, 1, null, 20, wide);
    placeCount(j, 12, 20, wide);
    expect(entries).toEqual([
      [10, 1],
      [20, 1],
    ]);
  });

  it('changes owned entries in place', () => {
    const entries: [number, number][] = [[10, 1]];
    const j = recordDelta(complete(entries), 10, 2, null, 20, wide, true);
    expect(j.entries).toBe(entries);
    expect(entries).toEqual([
      [10, 1],
      [10, 2],
    ]);
  });

  it('prunes beyond maxEntries, first arrived first, and is then complete only after the newest pruned', () => {
    let j = complete();
    for (let at = 1; at <= 5; at++) j = recordDelta(j, at, -1, null, at, { horizonMs: 1_000, maxEntries: 3 });
    expect(j).toEqual({
      entries: [
        [3, -1],
        [4, -1],
        [5, -1],
      ],
      from: 2,
    });
    // The first arrived goes first, whatever its time: `from` moves to the newest pruned.
    const late = recordDelta({ entries: j.entries, from: 0 }, 1, -1, null, 5, {
      horizonMs: 1_000,
      maxEntries: 3,
    });
    expect(late).toEqual({
      entries: [
        [4, -1],
        [5, -1],
        [1, -1],
      ],
      from: 3,
    });
  });

  it('prunes the first entries while they are older than updatedAt minus the horizon', () => {
    const bounds = { horizonMs: 100, maxEntries: 64 };
    let j = recordDelta(complete(), 10, -1, null, 10, bounds);
    j = recordDelta(j, 20, -1, null, 20, bounds);
    j = recordDelta(j, 115, -1, null, 115, bounds);
    expect(j).toEqual({
      entries: [
        [20, -1],
        [115, -1],
      ],
      from: 10,
    });
    // Exactly at the horizon is kept.
    expect(recordDelta(j, 120, 1, null, 120, bounds)).toEqual({
      entries: [
        [20, -1],
        [115, -1],
        [120, 1],
      ],
      from: 10,
    });
  });

  it('a COUNT sums the entries strictly after its time and drops the others', () => {
    const j = complete([
      [10, -1],
      [20, -2],
      [30, -4],
    ]);
    expect(placeCount(j, 20, 30, wide)).toEqual({ placed: true, later: -4, journal: complete([[30, -4]]) });
    expect(placeCount(j, 5, 30, wide)).toEqual({
      placed: true,
      later: -7,
      journal: complete(j.entries as [number, number][]),
    });
    // In arrival order: the entries after the count keep their order.
    expect(
      placeCount(
        complete([
          [30, -4],
          [10, -1],
          [25, 2],
        ]),
        20,
        30,
        wide,
      ),
    ).toEqual({
      placed: true,
      later: -2,
      journal: complete([
        [30, -4],
        [25, 2],
      ]),
    });
    expect(placeCount(j, 30, 30, wide)).toEqual({ placed: true, later: 0, journal: complete() });
  });

  it('a COUNT before `from` is not placed; the entries after it stay for a later COUNT', () => {
    const j: Journal = { entries: [[30, -4]], from: 25 };
    expect(placeCount(j, 20, 30, wide)).toEqual({ placed: false, later: 0, journal: j });
    expect(placeCount(j, 25, 30, wide)).toEqual({ placed: true, later: -4, journal: j });
  });

  it('reads a record without journal fields as complete after updatedAt', () => {
    expect(journalOf(location())).toEqual({ entries: [], from: 100 });
    expect(journalOf(location({ journal: [[60, -1]] }))).toEqual({ entries: [[60, -1]], from: null });
    expect(journalOf(location({ journalFrom: 70 }))).toEqual({ entries: [], from: 70 });
  });

  it('stores only what journalOf cannot infer, and reads back what it stored', () => {
    const store = (base: StoredLocation, journal: Journal): StoredLocation =>
      JSON.parse(
        JSON.stringify({
          ...base,
          journal: storedEntries(journal),
          journalFrom: storedFrom(journal, base.lastCountAt),
        }),
      );
    expect(store(location(), complete())).toStrictEqual(location());
    expect(store(location(), { entries: [], from: 40 })).toStrictEqual(location());
    expect(store(location(), { entries: [[60, -1]], from: 50 })).toStrictEqual(
      location({ journal: [[60, -1]] }),
    );
    expect(store(location(), { entries: [[60, -1]], from: 55 })).toStrictEqual(
      location({ journal: [[60, -1]], journalFrom: 55 }),
    );
    expect(store(location({ lastCountAt: null }), { entries: [], from: 3 })).toStrictEqual(
      location({ lastCountAt: null, journalFrom: 3 }),
    );
    expect(journalOf(store(location(), { entries: [[60, -1]], from: 55 }))).toEqual({
      entries: [[60, -1]],
      from: 55,
    });
    expect(journalOf(store(location(), { entries: [[60, -1]], from: 50 }))).toEqual({
      entries: [[60, -1]],
      from: null,
    });
  });
});
