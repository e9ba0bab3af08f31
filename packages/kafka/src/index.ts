export * from './catalog.ts';
export * from './client.ts';
export * from './provision.ts';
export * from './read.ts';
