import { defineService } from '@inventory/service';
import { buildDelivery } from './app.ts';
import { connectDelivery } from './clients.ts';
import { parseDeliveryConfig } from './config.ts';

/** What main.ts runs and tests build in process (@inventory/testkit buildInProcess). */
export const deliveryService = defineService({
  name: 'erp-delivery',
  settings: parseDeliveryConfig,
  clients: connectDelivery,
  app: buildDelivery,
});
