import type { PurchaseOrder, SoldQuantity } from '@inventory/codec';
import { isoTime as iso } from '@inventory/core';

/** Who receives a record. A sold quantity goes to both; each is delivered (and retried) alone. */
export type Destination = 'erp' | 'supplier';
export const destinations: readonly Destination[] = ['erp', 'supplier'];

export type RecordKind = 'purchase-order' | 'sold-quantity';

export interface DeliveryRequest {
  destination: Destination;
  kind: RecordKind;
  url: string;
  /**
   * Derived from the record alone, so every attempt, retry, redelivery after a crash or
   * redrive of the same record carries the same key and the receiver applies it once.
   */
  idempotencyKey: string;
  body: Record<string, unknown>;
}

export interface Endpoints {
  erpUrl: string;
  /** Unset: suppliers are not delivered to. */
  supplierApiUrl: string | undefined;
}

/** supplierId of skus without a supplier in master data: only the ERP receives them. */
export const unassignedSupplier = 'UNASSIGNED';

const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;

export function purchaseOrderRequests(order: PurchaseOrder, endpoints: Endpoints): DeliveryRequest[] {
  return [
    {
      destination: 'erp',
      kind: 'purchase-order',
      url: join(endpoints.erpUrl, '/purchase-orders'),
      // The orderId is the order's identity for the web shop, the aggregator and the ERP.
      idempotencyKey: `po-${order.orderId}`,
      body: {
        orderId: order.orderId,
        customerRef: order.customerRef,
        lines: order.lines.map((line) => ({ ...line })),
        confirmedAt: iso(order.confirmedAt),
      },
    },
  ];
}

export function soldQuantityKey(sold: Pick<SoldQuantity, 'sku' | 'supplierId' | 'periodStart'>): string {
  return `${sold.sku}|${sold.supplierId}|${iso(sold.periodStart)}`;
}

export function soldQuantityRequests(sold: SoldQuantity, endpoints: Endpoints): DeliveryRequest[] {
  const body = {
    sku: sold.sku,
    supplierId: sold.supplierId,
    periodStart: iso(sold.periodStart),
    periodEnd: iso(sold.periodEnd),
    sold: sold.sold,
    returned: sold.returned,
  };
  const idempotencyKey = `sold-${soldQuantityKey(sold)}`;
  const requests: DeliveryRequest[] = [
    {
      destination: 'erp',
      kind: 'sold-quantity',
      url: join(endpoints.erpUrl, '/sold-quantities'),
      idempotencyKey,
      body,
    },
  ];
  if (endpoints.supplierApiUrl && sold.supplierId !== unassignedSupplier) {
    requests.push({
      destination: 'supplier',
      kind: 'sold-quantity',
      url: join(
        endpoints.supplierApiUrl,
        `/suppliers/${encodeURIComponent(sold.supplierId)}/sold-quantities`,
      ),
      idempotencyKey,
      body,
    });
  }
  return requests;
}
