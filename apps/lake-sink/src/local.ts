// Runs the lake sink against the local stack (used by `npm start`); the lake is the stack's
// folder `lake/` (git-ignored), where `npm run lake:query` looks by default.
import { join } from 'node:path';
import { stackEndpoints, stackHome } from '@inventory/testkit';

const endpoints = stackEndpoints();
process.env.LAKE_KAFKA_BROKERS ??= endpoints.KAFKA_BROKERS;
process.env.LAKE_ROOT ??= join(stackHome(), 'lake');
if (endpoints.SCHEMA_REGISTRY_URL) process.env.LAKE_SCHEMA_REGISTRY_URL ??= endpoints.SCHEMA_REGISTRY_URL;
await import('./main.ts');
