export * from './admission.ts';
export * from './dedup.ts';
export * from './fold-reference.ts';
export * from './hash.ts';
export * from './identifiers.ts';
export * from './identity.ts';
export * from './json-schema.ts';
export * from './movements.ts';
