import { describe, expect, it } from 'vitest';
import { archiveDay, archiveKey, expiredArchives } from './archive.ts';

describe('the payload archive', () => {
  it("is keyed by the run's UTC time as the nightly sync's spec says", () => {
    expect(archiveKey(Date.parse('2026-03-07T02:00:09.500Z'))).toBe(
      'inventory-sync/2026-03-07/inventory_20260307_020009.json',
    );
    expect(archiveDay('inventory-sync/2026-03-07/inventory_20260307_020009.json')).toBe(
      Date.parse('2026-03-07T00:00:00Z'),
    );
    // Not archives: other names, a day folder that contradicts the file name.
    expect(archiveDay('inventory-sync/2026-03-07/notes.txt')).toBeUndefined();
    expect(archiveDay('inventory-sync/2026-03-07/inventory_20260308_020009.json')).toBeUndefined();
    expect(archiveDay('other/2026-03-07/inventory_20260307_020009.json')).toBeUndefined();
  });

  it('keeps 30 days: on 2026-12-31 the archives of 2026-11-30 and before are past retention', () => {
    const at = (iso: string) => archiveKey(Date.parse(iso));
    const keys = [
      at('2026-11-29T23:59:59Z'),
      at('2026-11-30T02:00:00Z'),
      at('2026-12-01T00:00:00Z'),
      at('2026-12-31T01:00:00Z'),
      'inventory-sync/2026-01-01/readme.txt',
    ];
    expect(expiredArchives(keys, Date.parse('2026-12-31T02:00:00Z'), 30)).toEqual([keys[0], keys[1]]);
    expect(expiredArchives(keys, Date.parse('2026-12-31T02:00:00Z'), 31)).toEqual([keys[0]]);
  });
});
