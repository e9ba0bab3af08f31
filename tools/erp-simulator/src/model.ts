import type {
  PurchaseOrder as PlatformOrder,
  SoldQuantity as PlatformSoldQuantity,
  PurchaseOrderLine,
} from '@inventory/codec';

/** The business routes; failure rules and request counts are per route. */
export const erpRoutes = [
  'purchase-orders',
  'sold-quantities',
  'supplier-sold-quantities',
  'inventory',
  'slack',
] as const;
export type ErpRoute = (typeof erpRoutes)[number];

/** The routes whose requests carry an Idempotency-Key and are recorded; each kind is its own key space. */
export const receivedKinds = ['purchase-orders', 'sold-quantities', 'supplier-sold-quantities'] as const;
export type ReceivedKind = (typeof receivedKinds)[number];

/** A platform record as JSON on the wire: its times (epoch ms in Avro) as ISO-8601 strings. */
type OverHttp<T, Times extends keyof T> = Omit<T, Times> & Record<Times, string>;

export type { PurchaseOrderLine };

/** A web-shop order the platform confirmed, as the ERP receives it. */
export type PurchaseOrder = OverHttp<PlatformOrder, 'confirmedAt'>;

/** Units of one sku sold and returned in a period, reported to the ERP and to the sku's supplier. */
export type SoldQuantity = OverHttp<Omit<PlatformSoldQuantity, 'events'>, 'periodStart' | 'periodEnd'>;

export interface InventoryItem {
  sku: string;
  locationId: string;
  qty: number;
  discontinued?: boolean;
}

/** The ERP's full stock picture, what the nightly reconciliation compares against. */
export interface InventorySnapshot {
  /** Omitted on input: the time it is set is used. */
  asOf?: string;
  items: InventoryItem[];
}

export interface ReceivedRecord {
  idempotencyKey: string;
  body: unknown;
  firstAt: string;
  /** 1 + the replays of the same key and body. */
  calls: number;
}

export interface ReceivedAlert {
  text: string;
  body: unknown;
  at: string;
}

export interface ErpStats {
  requests: Record<ErpRoute, number>;
  /** Distinct keys accepted. */
  accepted: Record<ReceivedKind, number>;
  duplicates: Record<ReceivedKind, number>;
  conflicts: number;
  invalid: number;
  unauthorized: number;
  /** Every request a rule applied to, slowed ones included. */
  failuresInjected: number;
  alerts: number;
}
