import { runService } from '@inventory/service';
import { buildNormalizer } from './app.ts';
import { connectNormalizer } from './clients.ts';
import { parseNormalizerConfig } from './config.ts';

runService({
  name: 'sap-normalizer',
  settings: parseNormalizerConfig,
  clients: connectNormalizer,
  app: buildNormalizer,
});
