import { describe, expect, it } from 'vitest';
import { order, soldQuantity } from './test-client.ts';
import {
  idempotencyKeyProblem,
  validateInventorySnapshot,
  validatePurchaseOrder,
  validateSoldQuantity,
} from './validate.ts';

const fixedNow = () => new Date('2026-11-23T02:00:00Z');

describe('validatePurchaseOrder', () => {
  it('accepts a confirmed order, an anonymous one included', () => {
    expect(validatePurchaseOrder(order()).lines[0]?.sku).toBe('SKU-1');
    expect(validatePurchaseOrder({ ...order(), customerRef: null }).customerRef).toBeNull();
  });

  it('names the field at fault', () => {
    const bad = (patch: object) => () => validatePurchaseOrder({ ...order(), ...patch });
    const line = order().lines[0];
    expect(bad({ lines: [{ ...line, quantity: 0 }] })).toThrow('lines[0].quantity must be an integer >= 1');
    expect(bad({ lines: [{ ...line, quantity: '2' }] })).toThrow(/^lines\[0\]\.quantity/);
    expect(bad({ lines: [] })).toThrow('lines must contain at least one line');
    expect(bad({ lines: [line, { ...line }] })).toThrow('lines[1].lineNo repeats line number 1');
    expect(bad({ customerRef: undefined })).toThrow(/^customerRef/);
    expect(bad({ confirmedAt: '2026-11-22 09:15' })).toThrow(/^confirmedAt must be an ISO-8601/);
    expect(() => validatePurchaseOrder([])).toThrow('body must be a JSON object');
    expect(bad({ orderId: '' })).toThrow(expect.objectContaining({ code: 'INVALID_BODY', field: 'orderId' }));
  });
});

describe('validateSoldQuantity', () => {
  it('accepts zero sales and refuses a period that ends before it starts', () => {
    expect(validateSoldQuantity({ ...soldQuantity(), sold: 0, returned: 0 }).sold).toBe(0);
    expect(() => validateSoldQuantity({ ...soldQuantity(), periodEnd: '2026-11-22T00:00:00Z' })).toThrow(
      'periodEnd must be after periodStart',
    );
    expect(() => validateSoldQuantity({ ...soldQuantity(), returned: -1 })).toThrow(/^returned/);
  });
});

describe('validateInventorySnapshot', () => {
  it('dates a snapshot without asOf and keeps only known fields in a fixed order', () => {
    const snapshot = validateInventorySnapshot(
      { items: [{ qty: -2, locationId: 'DC-1', sku: 'A', extra: 1, discontinued: true }] },
      fixedNow,
    );
    expect(JSON.stringify(snapshot)).toBe(
      '{"asOf":"2026-11-23T02:00:00.000Z","items":[{"sku":"A","locationId":"DC-1","qty":-2,"discontinued":true}]}',
    );
    expect(() =>
      validateInventorySnapshot({ items: [{ sku: 'A', locationId: 'L', qty: 1.5 }] }, fixedNow),
    ).toThrow(
      expect.objectContaining({ code: 'INVALID_INVENTORY', message: 'items[0].qty must be an integer' }),
    );
  });
});

describe('idempotencyKeyProblem', () => {
  it('wants 1 to 200 printable characters', () => {
    expect(idempotencyKeyProblem('po-WEB-1001')).toBeUndefined();
    expect(idempotencyKeyProblem(undefined)).toMatch(/send an Idempotency-Key/);
    expect(idempotencyKeyProblem('')).toMatch(/1 to 200/);
    expect(idempotencyKeyProblem('x'.repeat(201))).toMatch(/1 to 200/);
    expect(idempotencyKeyProblem('tab\there')).toMatch(/printable/);
  });
});
