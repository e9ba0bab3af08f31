export * from './keys.ts';
export * from './partition.ts';
export * from './stored.ts';
