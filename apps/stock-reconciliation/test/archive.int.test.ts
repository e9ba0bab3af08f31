import { waitFor } from '@inventory/core';
import { type ErpSimulator, startErpSimulator } from '@inventory/erp-simulator';
import { useWorld } from '@inventory/inventory-aggregator-test';
import { runReconciliation } from '@inventory/stock-reconciliation';
import { processAlive, stackPartPid, stackUp, stopStackPart } from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  archiveBucket,
  connectTestReconciliation,
  erpToken,
  reconciliationEnv,
  servedBytes,
} from './support.ts';

const fixture = useWorld({ partitions: 3 });
let erp: ErpSimulator;
const day = 86_400_000;

beforeAll(async () => {
  erp = await startErpSimulator({ token: erpToken });
});

afterAll(async () => {
  // A test that stopped the object store must not leave it down for the next file.
  if (!processAlive(stackPartPid('s3'))) stackUp();
  await erp?.close();
});

describe('the raw payload archive in S3', () => {
  it('keeps 30 days: archives written 40 days ago are deleted by a later run, those of 29 days kept (the job clock)', async () => {
    erp.reset();
    erp.setInventory({ items: [{ sku: 'ARC-A-1', locationId: 'S-1', qty: 3 }] });
    const env = reconciliationEnv(fixture.world, erp);
    const bucket = await archiveBucket(env);
    // S3Proxy keeps no lifecycle rules: the job deletes what is past retention itself.
    expect(await bucket.ensureExpiryRule({ id: 'probe', prefix: 'inventory-sync/', days: 30 })).toBe(
      'unsupported',
    );
    // Not an archive: retention leaves it alone, whatever its age.
    await bucket.putVerified('inventory-sync/2020-01-01/notes.txt', Buffer.from('kept'));
    const clients = await connectTestReconciliation(env);
    try {
      const now = Date.now();
      const paths: string[] = [];
      for (const age of [40, 29, 0]) {
        clients.deps.now = () => now - age * day;
        const outcome = await runReconciliation(clients.deps, 'manual');
        expect(outcome.status).toBe('completed');
        paths.push(outcome.archivePath as string);
      }
      const keys = paths.map((p) => p.slice(`s3://${bucket.name}/`.length));
      for (const [i, age] of [40, 29, 0].entries())
        expect(keys[i]).toMatch(
          new RegExp(
            `^inventory-sync/${new Date(now - age * day).toISOString().slice(0, 10)}/inventory_\\d{8}_\\d{6}\\.json$`,
          ),
        );
      // The run at 29 days found nothing past retention; the run of today deleted the oldest.
      expect((await bucket.list('')).map((o) => o.key).sort()).toEqual(
        ['inventory-sync/2020-01-01/notes.txt', keys[1], keys[2]].sort(),
      );
      expect(
        await clients.app.metrics.registry.getSingleMetricAsString('reconciliation_archives_deleted_total'),
      ).toMatch(/reconciliation_archives_deleted_total 1$/m);
      const served = await servedBytes(erp);
      for (const key of [keys[1], keys[2]])
        expect((await bucket.get(key as string)).equals(served)).toBe(true);
    } finally {
      await clients.close();
    }
  });

  it('the object store down: the archive is retried with backoff, then the job fails with an alert and records no archive; once it is back, the next run archives', async () => {
    erp.reset();
    erp.setInventory({ items: [{ sku: 'ARC-B-1', locationId: 'S-1', qty: 5 }] });
    const env = reconciliationEnv(fixture.world, erp, {
      RECON_ARCHIVE_RETRIES: '3',
      RECON_S3_MAX_ATTEMPTS: '1',
    });
    const bucket = await archiveBucket(env);
    const clients = await connectTestReconciliation(env);
    try {
      await stopStackPart('s3');
      const failed = await runReconciliation(clients.deps, 'schedule');
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(
        new RegExp(
          `^the payload could not be archived to s3://${bucket.name}/inventory-sync/.*\\(attempt 4\\)$`,
        ),
      );
      const [job] = await clients.deps.store.recentJobs(1);
      expect(job).toMatchObject({ id: failed.jobId, status: 'failed', archivePath: null, itemsChanged: 0 });
      // The archive comes before any correction: nothing was corrected without it.
      expect(await clients.deps.store.changes(failed.jobId)).toEqual([]);
      expect(erp.alerts().map((a) => a.text)).toEqual([
        `:warning: [test] stock reconciliation failed: job ${failed.jobId} failed: ${failed.error}`,
      ]);

      const restarted = stackUp();
      expect(restarted.status, restarted.stdout + restarted.stderr).toBe(0);
      await waitFor(async () => (await bucket.list('').catch(() => undefined)) !== undefined, {
        description: 'the object store to answer again',
        timeoutMs: 60_000,
      });
      // Nothing of the failed run reached the bucket.
      expect(await bucket.list('')).toEqual([]);
      const completed = await runReconciliation(clients.deps, 'manual');
      expect(completed).toMatchObject({ status: 'completed', itemsChanged: 1 });
      const key = (completed.archivePath as string).slice(`s3://${bucket.name}/`.length);
      expect((await bucket.list('')).map((o) => o.key)).toEqual([key]);
      expect((await bucket.get(key)).equals(await servedBytes(erp))).toBe(true);
    } finally {
      if (!processAlive(stackPartPid('s3'))) stackUp();
      await clients.close();
    }
  });
});
