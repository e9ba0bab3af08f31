import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketOf,
  bucketOfHour,
  fileKey,
  fileName,
  hourOf,
  leftoverKeys,
  parseFileName,
  writerPrefix,
} from './layout.ts';
import { lakeTimes } from './rows.ts';

describe('lake layout', () => {
  it('buckets by topic, the writing data centre, UTC date and hour, hive-style', () => {
    const bucket = bucketOf(Date.parse('2026-11-22T23:59:59.999Z'));
    expect(bucket).toEqual({ date: '2026-11-22', hour: '23' });
    expect(fileKey('inventory.events.v1', 'dc2', bucket, 3, 100, 199)).toBe(
      'topic=inventory.events.v1/dc=dc2/date=2026-11-22/hour=23/inventory.events.v1-p3-00000000000000000100-00000000000000000199.parquet',
    );
    expect(writerPrefix('inventory.events.v1', 'dc2')).toBe('topic=inventory.events.v1/dc=dc2/');
  });

  it("puts every time a row may carry in its own UTC date and hour, the same as its hour's start (the sink groups rows by hour)", () => {
    fc.assert(
      fc.property(fc.integer({ min: lakeTimes.min, max: lakeTimes.max }), (at) => {
        const bucket = bucketOf(at);
        expect(bucketOfHour(hourOf(at))).toEqual(bucket);
        const hourStart = Date.parse(`${bucket.date}T${bucket.hour}:00:00.000Z`);
        expect(at - hourStart).toBeGreaterThanOrEqual(0);
        expect(at - hourStart).toBeLessThan(3_600_000);
      }),
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

  it('finds the files a crash left beyond the committed offset, of that partition only', () => {
    const t = 'inventory.events.v1';
    const at = (hour: string) => ({ date: '2026-11-22', hour });
    const keys = [
      fileKey(t, 'dc1', at('01'), 0, 0, 99),
      fileKey(t, 'dc1', at('01'), 0, 100, 199),
      fileKey(t, 'dc1', at('02'), 0, 100, 199),
      fileKey(t, 'dc1', at('02'), 1, 100, 199),
      fileKey(t, 'dc1', at('02'), 10, 100, 199),
    ];
    expect(leftoverKeys(keys, t, 0, 100)).toEqual([keys[1], keys[2]]);
    expect(leftoverKeys(keys, t, 1, 200)).toEqual([]);
    expect(leftoverKeys(keys, 'inventory.other.v1', 0, 0)).toEqual([]);
  });
});
