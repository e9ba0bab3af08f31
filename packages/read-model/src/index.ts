export * from './acl.ts';
export * from './compact.ts';
export * from './keys.ts';
export * from './partition.ts';
export * from './reader.ts';
export * from './slots.ts';
export * from './stored.ts';
export * from './totals.ts';
