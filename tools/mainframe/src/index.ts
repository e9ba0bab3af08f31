export * from './movements.ts';
export * from './queue.ts';
