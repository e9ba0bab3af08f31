// Runs the SAP path against the local stack (used by `npm start`): creates the SAP tables and
// the publication, registers the Debezium connector and waits until it runs, posts a few
// demo goods movements, then starts the normalizer.

import { connectorConfig, registerConnector } from '@inventory/sap-tools/connector';
import { loadPlants, plantsFile, postGoodsMovement, setupSchema, withSap } from '@inventory/sap-tools/sap';
import { stackEndpoints } from '@inventory/testkit';

const endpoints = stackEndpoints();
process.env.SAP_KAFKA_BROKERS ??= endpoints.KAFKA_BROKERS;
process.env.SAP_PLANTS_FILE ??= plantsFile();
if (endpoints.SCHEMA_REGISTRY_URL) process.env.SAP_SCHEMA_REGISTRY_URL ??= endpoints.SCHEMA_REGISTRY_URL;

await setupSchema(endpoints.POSTGRES_SAP_URL);
await registerConnector(
  endpoints.CONNECT_URL ?? 'http://127.0.0.1:19083',
  connectorConfig(endpoints.POSTGRES_SAP_URL),
);
const plants = loadPlants();
await withSap(endpoints.POSTGRES_SAP_URL, async (client) => {
  for (const [i, place] of plants.storageLocations.entries())
    await postGoodsMovement(client, plants.client, [
      { matnr: 'SKU-2001', werks: place.werks, lgort: place.lgort, quantity: 25 + i },
    ]);
});
await import('./main.ts');
