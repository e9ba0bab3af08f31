export * from './access.ts';
export * from './assigner.ts';
export * from './catalog.ts';
export * from './client.ts';
export * from './inspect.ts';
export * from './locations.ts';
export * from './provision.ts';
export * from './read.ts';
