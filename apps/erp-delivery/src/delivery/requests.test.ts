import { samplePurchaseOrder, sampleSoldQuantity } from '@inventory/codec';
import { describe, expect, it } from 'vitest';
import { purchaseOrderRequests, soldQuantityRequests, unassignedSupplier } from './requests.ts';

const endpoints = { erpUrl: 'http://erp.local/api/', supplierApiUrl: 'http://suppliers.local' };

describe('delivery requests', () => {
  it('sends a purchase order to the ERP keyed by its orderId, times as ISO-8601', () => {
    const [request, ...rest] = purchaseOrderRequests(samplePurchaseOrder, endpoints);
    expect(rest).toEqual([]);
    expect(request).toMatchObject({
      destination: 'erp',
      url: 'http://erp.local/api/purchase-orders',
      idempotencyKey: 'po-web-order-5531',
      body: { orderId: 'web-order-5531', confirmedAt: '2026-11-22T09:15:01.000Z' },
    });
  });

  it('sends a sold quantity to the ERP and to its supplier with one key', () => {
    const requests = soldQuantityRequests(sampleSoldQuantity, endpoints);
    expect(requests.map((r) => [r.destination, r.url])).toEqual([
      ['erp', 'http://erp.local/api/sold-quantities'],
      ['supplier', 'http://suppliers.local/suppliers/SUP-ACME/sold-quantities'],
    ]);
    expect(new Set(requests.map((r) => r.idempotencyKey))).toEqual(
      new Set(['sold-SKU-1001|SUP-ACME|2026-11-22T09:00:00.000Z']),
    );
    expect(requests[0]?.body).toEqual({
      sku: 'SKU-1001',
      supplierId: 'SUP-ACME',
      periodStart: '2026-11-22T09:00:00.000Z',
      periodEnd: '2026-11-22T10:00:00.000Z',
      sold: 14,
      returned: 1,
    });
  });

  it('sends to the ERP only without a supplier or a supplier API', () => {
    const unassigned = { ...sampleSoldQuantity, supplierId: unassignedSupplier };
    expect(soldQuantityRequests(unassigned, endpoints).map((r) => r.destination)).toEqual(['erp']);
    const noApi = { ...endpoints, supplierApiUrl: undefined };
    expect(soldQuantityRequests(sampleSoldQuantity, noApi).map((r) => r.destination)).toEqual(['erp']);
  });
});
