import { defineService } from '@inventory/service';
import { buildBridge } from './app.ts';
import { connectBridge } from './clients.ts';
import { parseBridgeConfig } from './config.ts';

/** What main.ts runs and tests build in process (@inventory/testkit buildInProcess). */
export const bridgeService = defineService({
  name: 'mq-bridge',
  settings: parseBridgeConfig,
  clients: connectBridge,
  app: buildBridge,
});
