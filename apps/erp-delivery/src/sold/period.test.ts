import { type InventoryEvent, sampleEvent } from '@inventory/codec';
import { describe, expect, it } from 'vitest';
import { periodOf, soldIncrements } from './period.ts';
import { parseSuppliers, supplierLookup } from './suppliers.ts';

const hour = 3_600_000;
const t0 = Date.parse('2026-12-01T10:00:00Z');
const event = (over: Partial<InventoryEvent>): InventoryEvent => ({ ...sampleEvent, ...over });
const rules = {
  periodMs: hour,
  graceMs: 60_000,
  supplierOf: (sku: string) => (sku.startsWith('A') ? 'SUP-A' : 'UNASSIGNED'),
};

describe('sold-quantity periods', () => {
  it('aligns periods to the epoch', () => {
    expect(periodOf(t0 + 59 * 60_000, hour)).toEqual({ start: t0, end: t0 + hour });
    expect(periodOf(t0 + hour, hour).start).toBe(t0 + hour);
  });

  it('sums sales and returns per period, sku and supplier by recordedAt, ignoring other types', () => {
    const events = [
      event({ sku: 'A1', type: 'SALE', quantity: 2, recordedAt: t0 + 1 }),
      event({ sku: 'A1', type: 'SALE', quantity: 3, recordedAt: t0 + 2, locationId: 'STORE-002' }),
      event({ sku: 'A1', type: 'RETURN', quantity: 1, recordedAt: t0 + 3 }),
      event({ sku: 'A1', type: 'SALE', quantity: 7, recordedAt: t0 + hour }),
      event({ sku: 'B1', type: 'SALE', quantity: 4, recordedAt: t0 + 5 }),
      event({ sku: 'A1', type: 'RECEIPT', quantity: 100, recordedAt: t0 + 6 }),
      event({ sku: 'A1', type: 'COUNT', quantity: 100, recordedAt: t0 + 7 }),
    ];
    const { increments, late } = soldIncrements(events, rules, t0 + hour + 1);
    expect(late).toBe(0);
    expect(increments).toEqual([
      {
        periodStart: t0,
        periodEnd: t0 + hour,
        sku: 'A1',
        supplierId: 'SUP-A',
        sold: 5,
        returned: 1,
        events: 3,
      },
      {
        periodStart: t0 + hour,
        periodEnd: t0 + 2 * hour,
        sku: 'A1',
        supplierId: 'SUP-A',
        sold: 7,
        returned: 0,
        events: 1,
      },
      {
        periodStart: t0,
        periodEnd: t0 + hour,
        sku: 'B1',
        supplierId: 'UNASSIGNED',
        sold: 4,
        returned: 0,
        events: 1,
      },
    ]);
  });

  it('counts a sale whose period has closed in the period open now', () => {
    const now = t0 + hour + 60_000;
    const { increments, late } = soldIncrements(
      [event({ sku: 'A1', quantity: 2, recordedAt: t0 + 5 })],
      rules,
      now,
    );
    expect(late).toBe(1);
    expect(increments[0]).toMatchObject({ periodStart: t0 + hour, sold: 2 });
    // One millisecond earlier the period is still within its grace.
    expect(
      soldIncrements([event({ sku: 'A1', recordedAt: t0 + 5 })], rules, now - 1).increments[0],
    ).toMatchObject({
      periodStart: t0,
    });
  });
});

describe('supplier master data', () => {
  it('maps skus by the longest prefix, unknown ones to UNASSIGNED', () => {
    const data = parseSuppliers(
      {
        suppliers: [
          { supplierId: 'SUP-ACME', skuPrefixes: ['SKU-1'] },
          { supplierId: 'SUP-ZETA', skuPrefixes: ['SKU-12'] },
        ],
      },
      'suppliers.json',
    );
    const supplierOf = supplierLookup(data);
    expect(supplierOf('SKU-1001')).toBe('SUP-ACME');
    expect(supplierOf('SKU-1201')).toBe('SUP-ZETA');
    expect(supplierOf('OTHER')).toBe('UNASSIGNED');
  });

  it('names the bad field', () => {
    expect(() => parseSuppliers({ suppliers: [{ supplierId: 'X', skuPrefixes: [''] }] }, 'f.json')).toThrow(
      'f.json: suppliers[0].skuPrefixes must be an array of non-empty strings',
    );
    expect(() => parseSuppliers({}, 'f.json')).toThrow('f.json: suppliers must be an array');
  });
});
