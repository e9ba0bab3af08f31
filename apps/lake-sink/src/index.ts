// What tests and tools build the lake sink, and read the lake, from.
export { buildLake, type LakeApp } from './app.ts';
export { connectLake, type LakeClients } from './clients.ts';
export { type LakeConfig, type LakeLocation, parseLakeConfig, parseLakeLocation } from './config.ts';
export * from './layout.ts';
export { openLakeStore } from './location.ts';
export * from './mirror.ts';
export * from './query.ts';
export { lakeService } from './service.ts';
export type { LakeObject, LakeStore } from './store.ts';
