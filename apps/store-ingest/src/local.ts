// Runs store-ingest against the local stack (used by `npm start`): derives its settings
// from the stack's endpoint file and the committed development credentials, then starts main.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken } from '@inventory/core';
import { stackEndpoints, stackHome } from '@inventory/testkit';

const credentialsFile = new URL('../../../deploy/local/dev-credentials.json', import.meta.url);
const { storeIngest } = JSON.parse(readFileSync(credentialsFile, 'utf8')) as {
  storeIngest: { clientId: string; token: string; locationIds: string[] }[];
};
const tokensFile = join(stackHome(), 'store-ingest-tokens.json');
const clients = storeIngest.map(({ clientId, token, locationIds }) => ({
  clientId,
  tokenSha256: hashToken(token),
  locationIds,
}));
writeFileSync(tokensFile, `${JSON.stringify({ clients }, null, 2)}\n`, { mode: 0o600 });

const endpoints = stackEndpoints();
process.env.INGEST_KAFKA_BROKERS ??= endpoints.KAFKA_BROKERS;
process.env.INGEST_TOKENS_FILE ??= tokensFile;
if (endpoints.SCHEMA_REGISTRY_URL) process.env.INGEST_SCHEMA_REGISTRY_URL ??= endpoints.SCHEMA_REGISTRY_URL;
await import('./main.ts');
