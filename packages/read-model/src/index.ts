export * from './keys.ts';
export * from './partition.ts';
export * from './reader.ts';
export * from './stored.ts';
export * from './totals.ts';
