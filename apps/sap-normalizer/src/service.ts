import { defineService } from '@inventory/service';
import { buildNormalizer } from './app.ts';
import { connectNormalizer } from './clients.ts';
import { parseNormalizerConfig } from './config.ts';

/** What main.ts runs and tests build in process (@inventory/testkit buildInProcess). */
export const normalizerService = defineService({
  name: 'sap-normalizer',
  settings: parseNormalizerConfig,
  clients: connectNormalizer,
  app: buildNormalizer,
});
