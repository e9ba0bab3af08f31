// Runs the aggregator against the local stack (used by `npm start`).
import { stackEndpoints } from '@inventory/testkit';

const endpoints = stackEndpoints();
process.env.AGG_KAFKA_BROKERS ??= endpoints.KAFKA_BROKERS;
process.env.AGG_REDIS_URL ??= endpoints.REDIS_URL;
if (endpoints.SCHEMA_REGISTRY_URL) process.env.AGG_SCHEMA_REGISTRY_URL ??= endpoints.SCHEMA_REGISTRY_URL;
await import('./main.ts');
