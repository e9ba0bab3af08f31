export * from './admission.ts';
export * from './dedup.ts';
export * from './hash.ts';
export * from './identifiers.ts';
export * from './identity.ts';
export * from './movements.ts';
