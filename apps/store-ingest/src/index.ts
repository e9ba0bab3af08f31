// What tests and tools build the app from: settings, clients, the app itself.
export { buildIngest, type IngestApp, toCanonical } from './app.ts';
export { connectIngest, type IngestClients } from './clients.ts';
export { type IngestConfig, parseIngestConfig } from './config.ts';
export type { IngestMetrics } from './metrics.ts';
export { ingestService } from './service.ts';
