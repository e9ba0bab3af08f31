import { fileURLToPath } from 'node:url';
import type { InventoryEvent } from '@inventory/codec';
import type { ErpSimulator } from '@inventory/erp-simulator';
import type { World } from '@inventory/inventory-aggregator-test';
import { reconciliationService } from '@inventory/stock-reconciliation';
import {
  type AppProcess,
  buildInProcess,
  s3Env,
  stackEndpoints,
  stackKafkaEnv,
  startAppProcess,
  testBucket,
  uniqueName,
} from '@inventory/testkit';

export const erpToken = 'test-recon-token-91c2';

/**
 * Settings of one isolated reconciliation against an aggregator world and an ERP simulator,
 * archiving to a bucket of its own (retention deletes in it without touching others').
 */
export function reconciliationEnv(world: World, erp: ErpSimulator, env: Record<string, string> = {}) {
  const endpoints = stackEndpoints();
  return {
    ...stackKafkaEnv('RECON'),
    RECON_EVENTS_TOPIC: world.input,
    RECON_REDIS_URL: world.redisAs['stock-reconciliation'],
    RECON_REDIS_PREFIX: world.prefix,
    RECON_POSTGRES_URL: endpoints.POSTGRES_INVENTORY_URL,
    RECON_POSTGRES_SCHEMA: uniqueName('recon').replace(/-/g, '_'),
    RECON_ERP_URL: erp.url,
    RECON_ERP_TOKEN: erpToken,
    RECON_ERP_RETRY_DELAYS_MS: '100,200,400',
    ...s3Env('RECON_'),
    RECON_ARCHIVE_BUCKET: uniqueName('recon-archive').toLowerCase(),
    RECON_ARCHIVE_RETRY_INITIAL_MS: '100',
    RECON_ALERT_WEBHOOK_URL: `${erp.url}/hooks/slack`,
    RECON_ENVIRONMENT: 'test',
    RECON_LOG_LEVEL: 'warn',
    ...env,
  };
}

/** The payload the ERP simulator serves now, byte for byte (what an archive must hold). */
export async function servedBytes(erp: ErpSimulator): Promise<Buffer> {
  const response = await fetch(`${erp.url}/inventory`, { headers: { authorization: `Bearer ${erpToken}` } });
  return Buffer.from(await response.arrayBuffer());
}

/** The settings' archive bucket, created (as the deployment's is, before the job runs). */
export async function archiveBucket(env: Record<string, string>) {
  const bucket = testBucket(env.RECON_ARCHIVE_BUCKET as string);
  await bucket.ensure();
  return bucket;
}

/** The service built in this process from settings; `deps` is what one run takes. */
export async function connectTestReconciliation(env: Record<string, string>) {
  await archiveBucket(env);
  const { app, close } = await buildInProcess(reconciliationService, env);
  return { app, deps: app.deps, close };
}

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** The real service process (src/main.ts). */
export function startReconciliationProcess(env: Record<string, string>): AppProcess {
  return startAppProcess(appDir, { PATH: process.env.PATH, ...env }, 'RECON_HTTP_PORT');
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
    // Accepted now, and never before it happened: the fold places an event at the earlier of
    // the two (a clock that runs ahead), so a movement "accepted" before its time would move.
    recordedAt: Math.max(Date.now(), occurredAt),
    source: 'STORE',
    sourceRef: null,
    clientId: 'recon-test',
    clientEventId: null,
  };
}
