import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyJournalEdit,
  type CompactEntry,
  type CompactLocation,
  encodeJournal,
  encodeLocation,
  encodeTotal,
  journalEdit,
  parseJournal,
  parseLocation,
  parseTotal,
} from './compact.ts';

const time = fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 });
const location: fc.Arbitrary<CompactLocation> = fc
  .record({
    onHand: fc.integer({ min: -100_000, max: 10_000_000 }),
    reserved: fc.integer({ min: 0, max: 100_000 }),
    updatedAt: time,
    lastCountBefore: fc.option(fc.integer({ min: 0, max: 86_400_000 * 30 }), { nil: null }),
    version: fc.integer({ min: 0, max: 2 ** 40 }),
    inputOffset: fc.integer({ min: -1, max: 2 ** 45 }),
    journalFromBefore: fc.option(fc.integer({ min: 0, max: 86_400_000 }), { nil: undefined }),
  })
  .map(({ lastCountBefore, journalFromBefore, ...rest }) => {
    const state: CompactLocation = {
      ...rest,
      lastCountAt: lastCountBefore === null ? null : rest.updatedAt - lastCountBefore,
    };
    if (journalFromBefore !== undefined) state.journalFrom = rest.updatedAt - journalFromBefore;
    return state;
  });
const entry: fc.Arbitrary<CompactEntry> = fc.tuple(time, fc.integer({ min: -10_000, max: 10_000 }));

describe('compact stored values', () => {
  it('a location reads back exactly what was written, in well under 64 bytes', () => {
    fc.assert(
      fc.property(location, (state) => {
        const text = encodeLocation(state);
        expect(parseLocation(text)).toEqual(state);
        expect(text.length).toBeLessThanOrEqual(56);
      }),
    );
    const typical = encodeLocation({
      onHand: 37,
      reserved: 2,
      updatedAt: 1_796_411_838_068,
      lastCountAt: 1_796_400_000_000,
      version: 1_234,
      inputOffset: 5_000_000,
    });
    expect(typical).toBe('11,2,mx9d85f8,71qb8,ya,2z60w');
  });

  it('a location text that encodeLocation could not have written is refused by name', () => {
    for (const text of [
      '',
      '11,2,mx9d85f8,71qb8,ya',
      '11,2,mx9d85f8,71qb8,ya,2z60w,1,2',
      '11,,mx9d85f8,71qb8,ya,2z60w',
      '11,2,mx9d85f8,71qb8,ya,2z60w,',
      '11,2,MX9D85F8,71qb8,ya,2z60w',
      '1 1,2,mx9d85f8,71qb8,ya,2z60w',
      '-,2,mx9d85f8,71qb8,ya,2z60w',
      '--1,2,mx9d85f8,71qb8,ya,2z60w',
      '1-1,2,mx9d85f8,71qb8,ya,2z60w',
      'zzzzzzzzzzzz,2,mx9d85f8,71qb8,ya,2z60w',
    ])
      expect(() => parseLocation(text), text).toThrow(`not a stored location: "${text}"`);
    expect(parseLocation('-b,0,mx9d85f8,,ya,2z60w')).toEqual({
      onHand: -11,
      reserved: 0,
      updatedAt: 1_796_411_838_068,
      lastCountAt: null,
      version: 1_234,
      inputOffset: 5_000_000,
    });
  });

  it('a journal entry is about 12 bytes, and a journal reads back its entries in order', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 70 }), (entries) => {
        const text = encodeJournal(entries);
        expect(parseJournal(text)).toEqual(entries);
        for (const e of entries) expect(encodeJournal([e]).length).toBeLessThanOrEqual(16);
      }),
    );
    expect(encodeJournal([[1_796_411_838_068, -3]])).toBe('mx9d85f8:-3;');
  });

  it('the edit from one journal to another, applied to the stored text, gives the new text', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 20 }),
        fc.nat(25),
        fc.array(entry, { maxLength: 5 }),
        fc.boolean(),
        (before, cut, added, rewrite) => {
          // What a delta does (the oldest pruned, new ones appended), or anything else.
          const after = rewrite
            ? [...added, ...before.slice(0, 3)]
            : [...before.slice(Math.min(cut, before.length)), ...added];
          const edit = journalEdit(before, after);
          expect(applyJournalEdit(encodeJournal(before), edit)).toBe(encodeJournal(after));
          // Pruned and appended: an edit of the front and the end, never a rewrite.
          if (!rewrite) expect(edit.drop).toBeGreaterThanOrEqual(0);
        },
      ),
    );
    // A delta on a full journal: one entry dropped, one appended; the write is those bytes.
    const full: CompactEntry[] = Array.from({ length: 64 }, (_, i) => [1_796_400_000_000 + i, 1]);
    const edit = journalEdit(full, [...full.slice(1), [1_796_400_000_100, -1]]);
    expect(edit).toEqual({ drop: encodeJournal(full.slice(0, 1)).length, append: 'mx966f6s:-1;' });
  });

  it('a total reads back with its regions, available derived', () => {
    const total = {
      sku: 'SKU-1',
      onHand: 120,
      reserved: 4,
      available: 116,
      asOf: 1_796_411_838_068,
      regions: [
        { region: 'north', onHand: 100, reserved: 4, available: 96 },
        { region: 'west', onHand: 20, reserved: 0, available: 20 },
      ],
      version: 77,
    };
    expect(parseTotal('SKU-1', encodeTotal(total))).toEqual(total);
    expect(() =>
      encodeTotal({ ...total, regions: [{ region: 'a;b', onHand: 1, reserved: 0, available: 1 }] }),
    ).toThrow(/contains/);
  });
});
