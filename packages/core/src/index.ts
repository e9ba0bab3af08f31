export * from './auth.ts';
export * from './errors.ts';
export * from './listening.ts';
export * from './logger.ts';
export * from './retry.ts';
export * from './time.ts';
export * from './wait.ts';
