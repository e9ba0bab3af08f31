// What tests and tools build the lake sink, and read the lake, from.
export { buildLake, type LakeApp } from './app.ts';
export { connectLake, type LakeClients } from './clients.ts';
export { type LakeConfig, parseLakeConfig } from './config.ts';
export * from './layout.ts';
export * from './query.ts';
