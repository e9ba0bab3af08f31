import { describe, expect, it } from 'vitest';
import { normalize, type PlantMapping } from './normalize.ts';

const mapping: PlantMapping = {
  client: '100',
  storageLocations: [{ werks: '1000', lgort: '0001', locationId: 'WH-NORTH' }],
};
const now = Date.parse('2026-11-22T10:00:00Z');
const place = mapping.storageLocations[0] as { werks: string; lgort: string };
/** A MARD row of the mapped client and storage location: 42 unrestricted, none in inspection. */
const row = {
  mandt: mapping.client,
  matnr: 'SKU-1001',
  werks: place.werks,
  lgort: place.lgort,
  labst: '42.000',
  insme: '0.000',
};
const change = (overrides: { [key: string]: unknown } = {}) => ({
  before: null,
  after: row,
  source: {
    connector: 'postgresql',
    lsn: 24023128,
    ts_ms: Date.parse('2026-11-22T09:59:58Z'),
    txId: 771,
    table: 'mard',
  },
  op: 'u',
  ts_ms: now,
  ...overrides,
});
const reason = (value: unknown) => {
  const result = normalize(value, mapping, now);
  return result.kind === 'dead' ? result.reason : result.kind;
};

describe('normalize a MARD change', () => {
  it('an update becomes an absolute COUNT at the mapped location, its eventId from the LSN and the key', () => {
    expect(normalize(change(), mapping, now)).toEqual({
      kind: 'event',
      event: {
        eventId: 'sap:24023128:100:SKU-1001:1000:0001',
        type: 'COUNT',
        sku: 'SKU-1001',
        locationId: 'WH-NORTH',
        quantity: 42,
        occurredAt: Date.parse('2026-11-22T09:59:58Z'),
        recordedAt: now,
        source: 'SAP',
        sourceRef: 'MARD 1000/0001 lsn 24023128 tx 771',
        clientId: null,
        clientEventId: null,
      },
    });
  });

  it('create and snapshot read count the same way; a delete counts 0; a tombstone is skipped', () => {
    for (const op of ['c', 'r'])
      expect(normalize(change({ op }), mapping, now)).toMatchObject({ event: { quantity: 42 } });
    expect(normalize(change({ op: 'd', before: row, after: null }), mapping, now)).toMatchObject({
      kind: 'event',
      event: { type: 'COUNT', quantity: 0, locationId: 'WH-NORTH' },
    });
    expect(normalize(null, mapping, now)).toEqual({ kind: 'skip', why: 'tombstone' });
  });

  it('the same change redelivered has the same eventId; a re-run snapshot a new one with the same count', () => {
    const first = normalize(change({ op: 'r' }), mapping, now);
    const again = normalize(change({ op: 'r' }), mapping, now + 5_000);
    const rerun = normalize(change({ op: 'r', source: { ...change().source, lsn: 99999999 } }), mapping, now);
    const id = (n: typeof first) => (n.kind === 'event' ? n.event.eventId : '');
    expect(id(again)).toBe(id(first));
    expect(id(rerun)).not.toBe(id(first));
    expect(rerun).toMatchObject({ event: { quantity: 42 } });
  });

  it('dead-letters what cannot be mapped, each with its reason', () => {
    expect(reason(change({ after: { ...row, werks: '7777' } }))).toBe('UNKNOWN_PLANT');
    expect(reason(change({ after: { ...row, mandt: '200' } }))).toBe('UNKNOWN_CLIENT');
    expect(reason(change({ after: { ...row, labst: 'garbage' } }))).toBe('BAD_QUANTITY');
    expect(reason(change({ after: { ...row, labst: '2.500' } }))).toBe('BAD_QUANTITY');
    expect(reason(change({ after: { ...row, labst: '-1.000' } }))).toBe('BAD_QUANTITY');
    expect(reason(change({ after: { ...row, matnr: 'MAT 1' } }))).toBe('BAD_SKU');
    const { labst: _dropped, ...renamed } = row;
    expect(reason(change({ after: { ...renamed, labst_new: '1.000' } }))).toBe('MISSING_FIELD');
    expect(reason(change({ source: { ts_ms: now } }))).toBe('MISSING_FIELD');
    expect(reason(change({ op: 't', after: null }))).toBe('TRUNCATE');
    expect(reason(change({ op: 'x' }))).toBe('NOT_A_CHANGE_EVENT');
    expect(reason('text')).toBe('NOT_A_CHANGE_EVENT');
  });
});
