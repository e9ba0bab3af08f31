export { z } from 'zod';
export * from './env.ts';
