import { describe, expect, it } from 'vitest';
import { formatRecord, layout, parseRecord, recordLength } from './copybook.ts';
import { decodeMovement } from './movement.ts';

const receivedAt = Date.parse('2026-11-22T10:00:00Z');
const fields = {
  'REC-TYPE': 'MV',
  'MOVE-CODE': 'REC',
  WAREHOUSE: 'W-HAM1',
  SKU: 'SKU-00042',
  'QTY-SIGN': '+',
  QUANTITY: '120',
  'MOVE-DATE': '20261122',
  'MOVE-TIME': '083015',
  'TXN-ID': 'T000000000000123',
};
const fixed = (overrides: { [name: string]: string } = {}) =>
  Buffer.from(formatRecord({ ...fields, ...overrides }));
const json = (overrides: { [key: string]: unknown } = {}) =>
  Buffer.from(
    JSON.stringify({
      txnId: 'T77',
      moveCode: 'ADJ',
      warehouse: 'W-BER2',
      sku: 'SKU-7',
      quantity: -3,
      movedAt: '2026-11-22T08:31:00Z',
      ...overrides,
    }),
  );
const reason = (payload: Buffer, contentType?: string) => {
  const decoded = decodeMovement(payload, contentType, receivedAt);
  return decoded.ok ? 'ok' : decoded.reason;
};

describe('copybook layout', () => {
  it('covers positions 1-73 without gaps or overlaps, inside the record length', () => {
    let next = 1;
    for (const field of layout) {
      expect(field.start, field.name).toBe(next);
      next = field.start + field.length;
    }
    expect(next - 1).toBeLessThanOrEqual(recordLength);
  });

  it('parses every field at its position; a trailing newline is not part of the record', () => {
    const line = formatRecord(fields);
    expect(line).toHaveLength(80);
    expect(line.slice(33, 43)).toBe('+000000120');
    expect(parseRecord(`${line}\n`)).toEqual({ ...fields, QUANTITY: '000000120' });
  });
});

describe('decodeMovement', () => {
  it('maps a fixed-width record field by field, eventId from the transaction id', () => {
    expect(decodeMovement(fixed(), 'text/plain', receivedAt)).toEqual({
      ok: true,
      txnId: 'T000000000000123',
      event: {
        eventId: 'mainframe:T000000000000123',
        type: 'RECEIPT',
        sku: 'SKU-00042',
        locationId: 'W-HAM1',
        quantity: 120,
        occurredAt: Date.parse('2026-11-22T08:30:15Z'),
        recordedAt: receivedAt,
        source: 'MAINFRAME',
        sourceRef: 'T000000000000123',
        clientId: null,
        clientEventId: null,
      },
    });
  });

  it('maps a JSON movement field by field, by content type or by its first character', () => {
    const expected = {
      ok: true,
      txnId: 'T77',
      event: {
        eventId: 'mainframe:T77',
        type: 'ADJUSTMENT',
        sku: 'SKU-7',
        locationId: 'W-BER2',
        quantity: -3,
        occurredAt: Date.parse('2026-11-22T08:31:00Z'),
        recordedAt: receivedAt,
        source: 'MAINFRAME',
        sourceRef: 'T77',
        clientId: null,
        clientEventId: null,
      },
    };
    expect(decodeMovement(json(), 'application/json', receivedAt)).toEqual(expected);
    expect(decodeMovement(json(), undefined, receivedAt)).toEqual(expected);
  });

  it('maps every movement code; a signed count or a negative receipt is refused', () => {
    const types = ['REC', 'RET', 'ISS', 'TRI', 'SAL', 'ADJ', 'CNT'].map((moveCode) => {
      const decoded = decodeMovement(fixed({ 'MOVE-CODE': moveCode }), undefined, receivedAt);
      return decoded.ok ? decoded.event.type : decoded.reason;
    });
    expect(types).toEqual([
      'RECEIPT',
      'RETURN',
      'TRANSFER_OUT',
      'TRANSFER_IN',
      'SALE',
      'ADJUSTMENT',
      'COUNT',
    ]);
    expect(reason(fixed({ 'MOVE-CODE': 'CNT', 'QTY-SIGN': '-' }))).toBe('BAD_QUANTITY');
    expect(reason(fixed({ 'QTY-SIGN': '-' }))).toBe('BAD_QUANTITY');
    expect(reason(fixed({ 'MOVE-CODE': 'ADJ', QUANTITY: '0' }))).toBe('BAD_QUANTITY');
  });

  it('refuses every kind of bad record with its reason and keeps the transaction id when it has one', () => {
    const line = formatRecord(fields);
    expect(reason(Buffer.from(line.slice(0, 79)))).toBe('BAD_LENGTH');
    expect(reason(Buffer.from(`${line.slice(0, 34)}00000012X${line.slice(43)}`))).toBe('NOT_NUMERIC');
    expect(reason(fixed({ 'REC-TYPE': 'HD' }))).toBe('UNKNOWN_RECORD_TYPE');
    expect(reason(fixed({ 'MOVE-CODE': 'XYZ' }))).toBe('UNKNOWN_MOVE_CODE');
    expect(reason(fixed({ 'MOVE-DATE': '20260230' }))).toBe('BAD_TIME');
    expect(reason(fixed({ 'MOVE-TIME': '256000' }))).toBe('BAD_TIME');
    expect(reason(fixed({ 'QTY-SIGN': '*' }))).toBe('BAD_SIGN');
    expect(reason(fixed({ SKU: '' }))).toBe('BAD_SKU');
    expect(reason(fixed({ SKU: 'SKU 1' }))).toBe('BAD_SKU');
    expect(reason(fixed({ WAREHOUSE: '' }))).toBe('BAD_WAREHOUSE');
    expect(reason(fixed({ 'TXN-ID': '' }))).toBe('BAD_TXN_ID');
    expect(reason(Buffer.from('{"txnId": '), 'application/json')).toBe('MALFORMED_JSON');
    expect(reason(Buffer.from('[1]'), 'application/json')).toBe('MALFORMED_JSON');
    expect(reason(json({ sku: undefined }))).toBe('MISSING_FIELD');
    expect(reason(json({ movedAt: 'yesterday' }))).toBe('BAD_TIME');
    expect(reason(json({ quantity: 1.5 }))).toBe('BAD_QUANTITY');
    expect(reason(json({ warehouse: 7 }))).toBe('WRONG_TYPE');
    // Object.prototype's members are not movement codes.
    for (const moveCode of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'])
      expect(reason(json({ moveCode }), 'application/json')).toBe('UNKNOWN_MOVE_CODE');
    expect(reason(Buffer.from('{"__proto__": {"moveCode": "REC"}}'), 'application/json')).toBe(
      'MISSING_FIELD',
    );
    // Older than the dedup horizon: a repeat could not be recognised.
    expect(reason(json({ movedAt: '2026-11-15T09:59:59Z' }))).toBe('BEYOND_DEDUP_HORIZON');
    expect(reason(json({ movedAt: '2026-11-15T10:00:00Z' }))).toBe('ok');
    const bad = decodeMovement(fixed({ 'MOVE-CODE': 'XYZ' }), undefined, receivedAt);
    expect(bad).toMatchObject({
      ok: false,
      txnId: 'T000000000000123',
      message: expect.stringContaining('XYZ'),
    });
  });
});
