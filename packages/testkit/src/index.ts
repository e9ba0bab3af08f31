export * from './control.ts';
export * from './gate.ts';
export * from './kafka.ts';
export * from './names.ts';
export * from './process.ts';
export * from './redis.ts';
export * from './s3.ts';
export * from './stack.ts';
