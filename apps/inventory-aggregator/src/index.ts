// What tests and benchmarks build the aggregator, or parts of it, from.
export { type AggregatorApp, buildAggregator } from './app.ts';
export { type AggregatorClients, connectAggregator } from './clients.ts';
export { type AggregatorConfig, parseAggregatorConfig } from './config.ts';
export { tickCommand } from './reservations/decide.ts';
export { aggregatorService } from './service.ts';
export {
  type DedupSettings,
  RedisStore,
  type SkuWrite,
  type StepWrite,
  skuWrite,
} from './store/redis-store.ts';
