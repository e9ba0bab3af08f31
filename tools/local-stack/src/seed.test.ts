import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCodec } from '@inventory/codec';
import { describe, expect, it } from 'vitest';
import { readLocationsSeed } from './seed.ts';

describe('locations seed file', () => {
  const codec = createCodec();

  it('the committed seed covers stores, warehouses and distribution centres in several regions', () => {
    const locations = readLocationsSeed(codec);
    expect(new Set(locations.map((l) => l.kind))).toEqual(
      new Set(['STORE', 'WAREHOUSE', 'DISTRIBUTION_CENTRE']),
    );
    expect(new Set(locations.map((l) => l.region)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(locations.map((l) => l.locationId)).size).toBe(locations.length);
  });

  it('refuses an entry that does not match the schema, naming the entry and the field', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'seed-')), 'locations.json');
    writeFileSync(
      file,
      JSON.stringify([
        { locationId: 'X', kind: 'SHOP', name: 'x', region: 'r', dataCentre: 'd', active: true },
      ]),
    );
    expect(() => readLocationsSeed(codec, file)).toThrow(/entry 0: kind: "SHOP"/);
  });
});
