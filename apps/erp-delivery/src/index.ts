// What tests, the benchmark and tools build the delivery from.
export { buildDelivery, type DeliveryApp } from './app.ts';
export { connectDelivery, type DeliveryClients } from './clients.ts';
export { type DeliveryConfig, parseDeliveryConfig } from './config.ts';
export { retryTopicName } from './delivery/deliverer.ts';
export { type DeadLetter, type DeadLetterFilter, listDeadLetters, redrive } from './dlq.ts';
export type { DeliveryMetrics } from './metrics.ts';
export { deliveryService } from './service.ts';
export { parseSuppliers } from './sold/suppliers.ts';
