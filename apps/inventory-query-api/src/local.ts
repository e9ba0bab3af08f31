// Runs the query API against the local stack (used by `npm start`), with the committed
// development API keys hashed into the stack's folder.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken } from '@inventory/core';
import { stackEndpoints, stackHome } from '@inventory/testkit';

const credentialsFile = new URL('../../../deploy/local/dev-credentials.json', import.meta.url);
const { queryApi } = JSON.parse(readFileSync(credentialsFile, 'utf8')) as {
  queryApi: { keyId: string; key: string; scopes: string[] }[];
};
const keysFile = join(stackHome(), 'query-api-keys.json');
const keys = queryApi.map(({ keyId, key, scopes }) => ({ keyId, keySha256: hashToken(key), scopes }));
writeFileSync(keysFile, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });

const endpoints = stackEndpoints();
process.env.QUERY_KAFKA_BROKERS ??= endpoints.KAFKA_BROKERS;
process.env.QUERY_REDIS_URL ??= endpoints.REDIS_URL;
process.env.QUERY_API_KEYS_FILE ??= keysFile;
if (endpoints.SCHEMA_REGISTRY_URL) process.env.QUERY_SCHEMA_REGISTRY_URL ??= endpoints.SCHEMA_REGISTRY_URL;
await import('./main.ts');
