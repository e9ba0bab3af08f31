import { describe, expect, it } from 'vitest';
import { encodeJournal } from './compact.ts';
import { touchedSku } from './reader.ts';
import { encodeStoredLocation, encodeStoredTotal, type StoredLocation } from './stored.ts';

const total = { sku: 'SKU-1', onHand: 7, reserved: 2, available: 5, asOf: 9, regions: [], version: 3 };
const state = (onHand: number) => ({
  onHand,
  reserved: 0,
  updatedAt: 1,
  lastCountAt: null,
  version: 1,
  inputOffset: onHand,
});

describe('a touched sku from what HMGET answers', () => {
  it('pairs each named location with its field and its journal, in order, and skips the missing', () => {
    const read = touchedSku(
      'SKU-1',
      ['S-1', 'S-2', 'S-3'],
      [encodeStoredTotal(total), encodeStoredLocation(state(4)), null, encodeStoredLocation(state(3))],
      [encodeJournal([[1, 4]]), encodeJournal([[2, 9]]), null],
    );
    expect(read).toEqual({
      total,
      locations: new Map<string, StoredLocation>([
        ['S-1', { ...state(4), journal: [[1, 4]] }],
        ['S-3', state(3)],
      ]),
    });
  });

  it('has no total and no location for a sku never written', () => {
    expect(touchedSku('SKU-1', ['S-1'], [null, null], [null])).toEqual({
      total: undefined,
      locations: new Map(),
    });
  });
});
