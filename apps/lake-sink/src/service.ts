import { defineService } from '@inventory/service';
import { buildLake } from './app.ts';
import { connectLake } from './clients.ts';
import { parseLakeConfig } from './config.ts';

/** What main.ts runs and tests build in process (@inventory/testkit buildInProcess). */
export const lakeService = defineService({
  name: 'lake-sink',
  settings: parseLakeConfig,
  clients: connectLake,
  app: buildLake,
});
