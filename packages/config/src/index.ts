export { z } from 'zod';
export * from './app-build.ts';
export * from './env.ts';
