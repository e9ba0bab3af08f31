export type {
  ErpRoute,
  ErpStats,
  InventoryItem,
  InventorySnapshot,
  PurchaseOrder,
  PurchaseOrderLine,
  ReceivedAlert,
  ReceivedKind,
  ReceivedRecord,
  SoldQuantity,
} from './model.ts';
export type { FailureAction, FailureRule } from './rules.ts';
export { type ErpSimulator, type ErpSimulatorOptions, startErpSimulator } from './server.ts';
