import { runService } from '@inventory/service';
import { buildBridge } from './app.ts';
import { connectBridge } from './clients.ts';
import { parseBridgeConfig } from './config.ts';

runService({ name: 'mq-bridge', settings: parseBridgeConfig, clients: connectBridge, app: buildBridge });
