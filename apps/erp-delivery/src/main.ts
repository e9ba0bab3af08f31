import { runService } from '@inventory/service';
import { buildDelivery } from './app.ts';
import { connectDelivery } from './clients.ts';
import { parseDeliveryConfig } from './config.ts';

runService({
  name: 'erp-delivery',
  settings: parseDeliveryConfig,
  clients: connectDelivery,
  app: buildDelivery,
});
