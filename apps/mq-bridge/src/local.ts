// Runs the bridge against the local stack (used by `npm start`).
import { stackEndpoints } from '@inventory/testkit';

const endpoints = stackEndpoints();
process.env.MQ_KAFKA_BROKERS ??= endpoints.KAFKA_BROKERS;
process.env.MQ_AMQP_URL ??= endpoints.AMQP_URL;
if (endpoints.SCHEMA_REGISTRY_URL) process.env.MQ_SCHEMA_REGISTRY_URL ??= endpoints.SCHEMA_REGISTRY_URL;
await import('./main.ts');
