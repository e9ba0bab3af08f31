// What tests and tools build the query API from.
export { type ApiClient, ApiKeyStore, type Scope } from './api-keys.ts';
export { buildQueryApi, type QueryApp } from './app.ts';
export { connectQueryApi, type QueryClients } from './clients.ts';
export { parseQueryConfig, type QueryConfig } from './config.ts';
export { queryApiService } from './service.ts';
