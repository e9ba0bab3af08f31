// What tests build the normalizer from.
export { buildNormalizer, type NormalizerApp } from './app.ts';
export { connectNormalizer, type NormalizerClients, readPlants } from './clients.ts';
export { type NormalizerConfig, parseNormalizerConfig } from './config.ts';
export { normalizerService } from './service.ts';
