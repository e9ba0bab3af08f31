export * from './codec.ts';
export * from './create.ts';
export * from './registry.ts';
export * from './samples.ts';
export * from './schemas.ts';
export * from './types.ts';
export * from './wire.ts';
