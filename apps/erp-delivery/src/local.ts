// Runs the ERP delivery against the local stack and the ERP simulator (tools/erp-simulator,
// started by `npm start` on 19160), with the committed development token and suppliers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stackEndpoints } from '@inventory/testkit';

const credentials = JSON.parse(
  readFileSync(new URL('../../../deploy/local/dev-credentials.json', import.meta.url), 'utf8'),
) as { erp: { token: string } };
const endpoints = stackEndpoints();
const erpUrl = process.env.ERP_SIM_URL ?? 'http://127.0.0.1:19160';
process.env.DELIVERY_KAFKA_BROKERS ??= endpoints.KAFKA_BROKERS;
process.env.DELIVERY_POSTGRES_URL ??= endpoints.POSTGRES_INVENTORY_URL;
process.env.DELIVERY_ERP_URL ??= erpUrl;
process.env.DELIVERY_SUPPLIER_API_URL ??= erpUrl;
process.env.DELIVERY_ERP_TOKEN ??= credentials.erp.token;
process.env.DELIVERY_SUPPLIER_TOKEN ??= credentials.erp.token;
process.env.DELIVERY_SUPPLIERS_FILE ??= fileURLToPath(
  new URL('../../../deploy/local/seed/suppliers.json', import.meta.url),
);
if (endpoints.SCHEMA_REGISTRY_URL) process.env.DELIVERY_SCHEMA_REGISTRY_URL ??= endpoints.SCHEMA_REGISTRY_URL;
delete process.env.ERP_SIM_URL;
await import('./main.ts');
