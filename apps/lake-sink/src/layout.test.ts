import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bucketDir, bucketOf, fileName, leftoverFiles, parseFileName } from './layout.ts';

describe('lake layout', () => {
  it('buckets by UTC date and hour, hive-style', () => {
    const bucket = bucketOf(Date.parse('2026-11-22T23:59:59.999Z'));
    expect(bucket).toEqual({ date: '2026-11-22', hour: '23' });
    expect(bucketDir('/lake', 'inventory.events.v1', bucket)).toBe(
      '/lake/topic=inventory.events.v1/date=2026-11-22/hour=23',
    );
  });

  it('names a file by topic, partition and offset range, and reads the range back', () => {
    const name = fileName('inventory.events.v1', 3, 100, 199);
    expect(parseFileName(name, 'inventory.events.v1', 3)).toEqual({ first: 100, last: 199 });
    expect(parseFileName(name, 'inventory.events.v1', 4)).toBeUndefined();
    expect(parseFileName(`${name}.tmp`, 'inventory.events.v1', 3)).toBeUndefined();
    // Zero-padded: names sort in offset order.
    expect(fileName('t', 0, 9, 10) < fileName('t', 0, 10, 11)).toBe(true);
  });

  it('finds the files a crash left beyond the committed offset, and temporary ones, of that partition only', () => {
    const root = mkdtempSync(join(tmpdir(), 'lake-layout-'));
    const t = 'inventory.events.v1';
    const hour = (h: string) => bucketDir(root, t, { date: '2026-11-22', hour: h });
    for (const h of ['01', '02']) mkdirSync(hour(h), { recursive: true });
    const files = [
      join(hour('01'), fileName(t, 0, 0, 99)),
      join(hour('01'), fileName(t, 0, 100, 199)),
      join(hour('02'), fileName(t, 0, 100, 199)),
      join(hour('02'), `${fileName(t, 0, 200, 299)}.tmp`),
      join(hour('02'), fileName(t, 1, 100, 199)),
    ];
    for (const f of files) writeFileSync(f, '');
    expect(leftoverFiles(root, t, 0, 100).sort()).toEqual([files[1], files[2], files[3]].sort());
    expect(leftoverFiles(root, 'inventory.other.v1', 0, 0)).toEqual([]);
  });
});
