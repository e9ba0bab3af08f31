import type { StoredLocation } from '@inventory/read-model';
import { describe, expect, it } from 'vitest';
import { correctionEvent, decide } from './plan.ts';
import { parseSnapshot } from './snapshot.ts';

const asOf = Date.parse('2026-12-01T02:00:00Z');
const item = { sku: 'SKU-1', locationId: 'STORE-001', qty: 10, discontinued: false };
const stored = (over: Partial<StoredLocation>): StoredLocation => ({
  onHand: 10,
  reserved: 0,
  updatedAt: asOf - 60_000,
  lastCountAt: null,
  version: 3,
  inputOffset: 7,
  ...over,
});

describe('reconciliation decisions', () => {
  it('leaves agreeing figures alone and corrects differing ones', () => {
    expect(decide(item, stored({}), asOf)).toEqual({ kind: 'unchanged', platformAsOf: 10 });
    expect(decide(item, stored({ onHand: 7 }), asOf)).toEqual({ kind: 'correct', platformAsOf: 7 });
  });

  it('initialises a location the platform has never seen', () => {
    expect(decide(item, undefined, asOf)).toEqual({ kind: 'correct', platformAsOf: 0 });
    expect(decide({ ...item, qty: 0 }, undefined, asOf)).toEqual({ kind: 'unchanged', platformAsOf: 0 });
  });

  it('takes the movements after the snapshot out before comparing', () => {
    // 10 at asOf, then 3 sold after it: the platform shows 7 and agrees with the ERP.
    const moved = stored({
      onHand: 7,
      updatedAt: asOf + 5_000,
      journal: [
        [asOf - 1_000, 2],
        [asOf + 5_000, -3],
      ],
    });
    expect(decide(item, moved, asOf)).toEqual({ kind: 'unchanged', platformAsOf: 10 });
    expect(decide({ ...item, qty: 12 }, moved, asOf)).toEqual({ kind: 'correct', platformAsOf: 10 });
  });

  it('does not correct with a snapshot older than the platform’s last count', () => {
    expect(decide(item, stored({ onHand: 3, lastCountAt: asOf + 1 }), asOf)).toEqual({ kind: 'newer-count' });
  });

  it('defers when the platform cannot tell what moved after the snapshot', () => {
    expect(decide(item, stored({ onHand: 3, updatedAt: asOf + 1 }), asOf)).toEqual({ kind: 'deferred' });
    expect(
      decide(item, stored({ onHand: 3, journal: [[asOf + 9, -1]], journalFrom: asOf + 5 }), asOf),
    ).toEqual({
      kind: 'deferred',
    });
    // No journal and nothing after asOf: exact.
    expect(decide(item, stored({ onHand: 3, updatedAt: asOf }), asOf)).toEqual({
      kind: 'correct',
      platformAsOf: 3,
    });
  });

  it('makes a COUNT as of the snapshot, source RECONCILIATION, with a stable eventId', () => {
    expect(correctionEvent(42, item, asOf, asOf + 9)).toEqual({
      eventId: 'reconciliation:42:SKU-1@STORE-001',
      type: 'COUNT',
      sku: 'SKU-1',
      locationId: 'STORE-001',
      quantity: 10,
      occurredAt: asOf,
      recordedAt: asOf + 9,
      source: 'RECONCILIATION',
      sourceRef: 'reconciliation job 42, ERP snapshot as of 2026-12-01T02:00:00.000Z',
      clientId: null,
      clientEventId: null,
    });
  });
});

describe('snapshot parsing', () => {
  const fetchedAt = asOf + 1_000;
  it('keeps valid records and names what is wrong with the others', () => {
    const payload = JSON.stringify({
      asOf: '2026-12-01T02:00:00Z',
      items: [
        { sku: 'SKU-1', locationId: 'STORE-001', qty: 4 },
        { sku: 'SKU-2', locationId: 'STORE-001', qty: 0, discontinued: true },
        { sku: 'SKU-3', locationId: 'STORE-001', qty: -1 },
        { sku: '', locationId: 'STORE-001', qty: 1 },
        { sku: 'SKU-4', qty: 1 },
        { sku: 'SKU-5', locationId: 'STORE-001', qty: 1.5 },
        'junk',
        { sku: 'SKU-6', locationId: 'STORE-001', qty: 1 },
        { sku: 'SKU-6', locationId: 'STORE-001', qty: 2 },
      ],
    });
    const snapshot = parseSnapshot(Buffer.from(payload), fetchedAt);
    expect(snapshot.asOf).toBe(asOf);
    expect(snapshot.items).toEqual([
      { sku: 'SKU-1', locationId: 'STORE-001', qty: 4, discontinued: false },
      { sku: 'SKU-2', locationId: 'STORE-001', qty: 0, discontinued: true },
    ]);
    expect(snapshot.invalid.map((i) => [i.index, i.reason])).toEqual([
      [2, 'qty: a non-negative integer'],
      [3, "sku: 1-64 characters of letters, digits, '-', '_', '.'"],
      [4, "locationId: 1-64 characters of letters, digits, '-', '_', '.'"],
      [5, 'qty: a non-negative integer'],
      [6, 'not an object'],
      [7, 'more than one record of this sku and location'],
      [8, 'more than one record of this sku and location'],
    ]);
  });

  it('fails on a payload that is not a snapshot', () => {
    expect(() => parseSnapshot(Buffer.from('<html>'), fetchedAt)).toThrow('not JSON');
    expect(() => parseSnapshot(Buffer.from('[{"sku":"A","qty":1}]'), fetchedAt)).toThrow('no items array');
    expect(() => parseSnapshot(Buffer.from('{"asOf":"soon","items":[]}'), fetchedAt)).toThrow('asOf');
    expect(() => parseSnapshot(Buffer.from('{"asOf":"2027-01-01T00:00:00Z","items":[]}'), fetchedAt)).toThrow(
      'in the future',
    );
    expect(parseSnapshot(Buffer.from('{"items":[]}'), fetchedAt).asOf).toBe(fetchedAt);
  });
});
