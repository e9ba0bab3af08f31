export * from './component.ts';
export * from './config.ts';
export * from './endpoints.ts';
export * from './maven.ts';
export * from './proc.ts';
export * from './stack.ts';
