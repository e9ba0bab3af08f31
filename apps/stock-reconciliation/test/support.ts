import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InventoryEvent } from '@inventory/codec';
import { createLogger } from '@inventory/core';
import type { ErpSimulator } from '@inventory/erp-simulator';
import { stackEndpoints, uniqueName } from '@inventory/testkit';
import type { World } from '../../inventory-aggregator/src/test-support.ts';
import { connectJobDeps } from './clients.ts';
import { parseReconciliationConfig } from './config.ts';

export const erpToken = 'test-recon-token-91c2';

/** Settings of one isolated reconciliation against an aggregator world and an ERP simulator. */
export function reconciliationEnv(world: World, erp: ErpSimulator, env: Record<string, string> = {}) {
  const endpoints = stackEndpoints();
  return {
    RECON_KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
    ...(endpoints.SCHEMA_REGISTRY_URL ? { RECON_SCHEMA_REGISTRY_URL: endpoints.SCHEMA_REGISTRY_URL } : {}),
    RECON_EVENTS_TOPIC: world.input,
    RECON_REDIS_URL: endpoints.REDIS_URL,
    RECON_REDIS_PREFIX: world.prefix,
    RECON_POSTGRES_URL: endpoints.POSTGRES_INVENTORY_URL,
    RECON_POSTGRES_SCHEMA: uniqueName('recon').replace(/-/g, '_'),
    RECON_ERP_URL: erp.url,
    RECON_ERP_TOKEN: erpToken,
    RECON_ERP_RETRY_DELAYS_MS: '100,200,400',
    RECON_ARCHIVE_ROOT: mkdtempSync(join(tmpdir(), 'recon-lake-')),
    RECON_ALERT_WEBHOOK_URL: `${erp.url}/hooks/slack`,
    RECON_ENVIRONMENT: 'test',
    RECON_LOG_LEVEL: 'warn',
    ...env,
  };
}

export async function connectReconciliation(env: Record<string, string>) {
  const config = parseReconciliationConfig(env);
  return connectJobDeps(config, createLogger('recon-test', config.LOG_LEVEL));
}

let sequence = 0;
export function movement(
  type: InventoryEvent['type'],
  sku: string,
  locationId: string,
  quantity: number,
  occurredAt: number,
): InventoryEvent {
  return {
    eventId: `store:recon-test:${Date.now()}-${sequence++}`,
    type,
    sku,
    locationId,
    quantity,
    occurredAt,
    recordedAt: Date.now(),
    source: 'STORE',
    sourceRef: null,
    clientId: 'recon-test',
    clientEventId: null,
  };
}
