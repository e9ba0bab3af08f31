import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackEndpoints, stackHome } from '@inventory/testkit';

/**
 * Settings for the local stack and the ERP simulator (`npm start`), filled in where unset:
 * the aggregator's read model, the stack's PostgreSQL, the lake folder, the dev ERP token.
 */
export function applyLocalDefaults(env: NodeJS.ProcessEnv): void {
  const credentials = JSON.parse(
    readFileSync(new URL('../../../deploy/local/dev-credentials.json', import.meta.url), 'utf8'),
  ) as { erp: { token: string }; alerts: { webhookPath: string } };
  const endpoints = stackEndpoints();
  const erpUrl = 'http://127.0.0.1:19160';
  env.RECON_KAFKA_BROKERS ??= endpoints.KAFKA_BROKERS;
  env.RECON_REDIS_URL ??= endpoints.REDIS_URL;
  env.RECON_POSTGRES_URL ??= endpoints.POSTGRES_INVENTORY_URL;
  env.RECON_ERP_URL ??= erpUrl;
  env.RECON_ERP_TOKEN ??= credentials.erp.token;
  env.RECON_ARCHIVE_ROOT ??= join(stackHome(), 'lake');
  env.RECON_ALERT_WEBHOOK_URL ??= `${erpUrl}${credentials.alerts.webhookPath}`;
  if (endpoints.SCHEMA_REGISTRY_URL) env.RECON_SCHEMA_REGISTRY_URL ??= endpoints.SCHEMA_REGISTRY_URL;
}
