import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createCodec, type InventoryEvent } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { type ErpSimulator, startErpSimulator } from '@inventory/erp-simulator';
import {
  createWorld,
  produceEvents,
  type RunningAggregator,
  readModel,
  startAggregator,
  type World,
  waitDrained,
} from '@inventory/inventory-aggregator-test';
import type { RedisClient } from '@inventory/read-model';
import { runReconciliation } from '@inventory/stock-reconciliation';
import {
  collect,
  expectOrderlyStop,
  runJsonCli,
  stackEndpoints,
  testKafka,
  testRedis,
} from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  archiveBucket,
  connectTestReconciliation,
  erpToken,
  movement,
  reconciliationEnv,
  servedBytes,
  startReconciliationProcess,
} from './support.ts';

let world: World;
let aggregator: RunningAggregator;
let erp: ErpSimulator;
let redis: RedisClient;
const hour = 3_600_000;

beforeAll(async () => {
  world = await createWorld(6);
  aggregator = startAggregator(world);
  await aggregator.ready();
  erp = await startErpSimulator({ token: erpToken });
  redis = testRedis();
});

afterAll(async () => {
  aggregator?.child.kill('SIGTERM');
  await aggregator?.exited;
  await erp?.close();
  redis?.disconnect();
});

const onHand = async () => (await readModel(redis, world)).onHand;
describe('stock reconciliation against the ERP snapshot', () => {
  it('corrects exactly the places that differ, records the job and archives the payload byte for byte', async () => {
    const t0 = Date.now() - hour;
    const skus = Array.from({ length: 10 }, (_, i) => `REC-A-${i}`);
    const places = skus.flatMap((sku) => ['S-1', 'S-2'].map((locationId) => ({ sku, locationId })));
    await produceEvents(
      world,
      places.map((p, i) => movement('COUNT', p.sku, p.locationId, 10 + i, t0)),
    );
    await waitDrained(redis, world);
    const before = await onHand();
    const asOf = Date.now() - 1_000;
    const differ = new Map([
      ['REC-A-1|S-2', 99],
      ['REC-A-4|S-1', 0],
      ['REC-A-7|S-1', 3],
    ]);
    const items: unknown[] = places.map(({ sku, locationId }) => {
      const key = `${sku}|${locationId}`;
      return { sku, locationId, qty: differ.get(key) ?? before.get(key), discontinued: sku === 'REC-A-9' };
    });
    // A location the platform has never seen (initialisation), and two invalid records.
    items.push({ sku: 'REC-A-0', locationId: 'W-1', qty: 25 });
    items.push({ sku: 'REC-A-0', locationId: 'S-3', qty: -4 });
    items.push({ sku: 'REC-A-5', qty: 1 });
    erp.setInventoryPayload(JSON.stringify({ asOf: new Date(asOf).toISOString(), items }));
    const env = reconciliationEnv(world, erp);
    const clients = await connectTestReconciliation(env);
    const corrections = await collect(testKafka(), world.input);
    try {
      const outcome = await runReconciliation(clients.deps, 'manual');
      expect(outcome).toMatchObject({
        status: 'completed',
        skusProcessed: 10,
        itemsProcessed: 21,
        itemsChanged: 4,
        itemsInvalid: 2,
        itemsDeferred: 0,
        discontinuedMarked: 1,
        apiAttempts: 1,
        snapshotAsOf: asOf,
      });
      const [job] = await clients.deps.store.recentJobs(1);
      expect(job).toMatchObject({
        id: outcome.jobId,
        status: 'completed',
        trigger: 'manual',
        itemsChanged: 4,
        itemsInvalid: 2,
      });
      expect(job?.snapshotAsOf?.getTime()).toBe(asOf);
      expect(job?.apiLatencyMs).toBeGreaterThanOrEqual(0);
      expect(job?.finishedAt?.getTime()).toBeGreaterThanOrEqual(job?.startedAt.getTime() ?? Infinity);
      const day = new Date().toISOString().slice(0, 10);
      const prefix = `s3://${env.RECON_ARCHIVE_BUCKET}/`;
      expect(job?.archivePath).toMatch(
        new RegExp(`^${prefix}inventory-sync/${day}/inventory_${day.replace(/-/g, '')}_\\d{6}\\.json$`),
      );
      // In the bucket, byte for byte what the ERP served, and nothing else.
      const bucket = await archiveBucket(env);
      const key = String(job?.archivePath).slice(prefix.length);
      expect((await bucket.list('')).map((o) => o.key)).toEqual([key]);
      expect((await bucket.get(key)).equals(await servedBytes(erp))).toBe(true);

      const audit = await clients.deps.store.changes(outcome.jobId);
      expect(audit.map((c) => [`${c.sku}|${c.locationId}`, c.erpQty, c.platformAsOf])).toEqual([
        ['REC-A-0|W-1', 25, 0],
        ['REC-A-1|S-2', 99, before.get('REC-A-1|S-2')],
        ['REC-A-4|S-1', 0, before.get('REC-A-4|S-1')],
        ['REC-A-7|S-1', 3, before.get('REC-A-7|S-1')],
      ]);
      await waitDrained(redis, world);
      const after = await onHand();
      for (const [key, qty] of before) expect([key, after.get(key)]).toEqual([key, differ.get(key) ?? qty]);
      expect(after.get('REC-A-0|W-1')).toBe(25);
      // The corrections are COUNTs as of the snapshot, from RECONCILIATION, on the canonical stream.
      const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
      const decoded = await Promise.all(
        corrections.messages.map(
          (m) => codec.decode(m.message.value as Buffer, 'InventoryEvent') as Promise<InventoryEvent>,
        ),
      );
      const published = decoded.filter((e) => e.source === 'RECONCILIATION');
      expect(published).toHaveLength(4);
      for (const e of published) expect(e).toMatchObject({ type: 'COUNT', occurredAt: asOf });
      expect(erp.alerts()).toEqual([]);
      // Discontinued skus are master data for the query API, beside the stock state.
      expect(await redis.hget(`${world.prefix}:discontinued`, 'REC-A-9')).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await redis.hget(`${world.prefix}:discontinued`, 'REC-A-1')).toBeNull();
    } finally {
      await corrections.stop();
      await clients.close();
    }
  });

  it('succeeds on the third try when the ERP fails twice; fails with an alert when it always fails', async () => {
    erp.reset();
    erp.setInventory({ items: [{ sku: 'REC-B-1', locationId: 'S-1', qty: 5 }] });
    const clients = await connectTestReconciliation(reconciliationEnv(world, erp));
    try {
      erp.setRules([{ route: 'inventory', action: 'status', status: 503, times: 2 }]);
      const third = await runReconciliation(clients.deps, 'manual');
      expect(third).toMatchObject({ status: 'completed', apiAttempts: 3, itemsChanged: 1 });
      expect(erp.stats().requests.inventory).toBe(3);

      erp.setRules([{ route: 'inventory', action: 'down' }]);
      const failed = await runReconciliation(clients.deps, 'schedule');
      expect(failed.status).toBe('failed');
      expect(failed.error).toContain('(attempt 4)');
      const [job] = await clients.deps.store.recentJobs(1);
      expect(job).toMatchObject({ id: failed.jobId, status: 'failed', apiAttempts: 3, archivePath: null });
      expect(job?.error).toContain('GET /inventory failed');
      const alerts = erp.alerts().map((a) => a.text);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toContain(`[test] stock reconciliation failed: job ${failed.jobId} failed`);

      erp.setRules([{ route: 'inventory', action: 'status', status: 401 }]);
      const refusedToken = await runReconciliation(clients.deps, 'manual');
      expect(refusedToken.error).toContain('HTTP 401');
      expect(refusedToken.error).toContain('(attempt 1)');
    } finally {
      erp.clearRules();
      await clients.close();
    }
  });

  it('refuses a second run while one holds the lease, with an alert, and the first completes unaffected', async () => {
    erp.reset();
    erp.setInventory({ items: [{ sku: 'REC-C-1', locationId: 'S-1', qty: 8 }] });
    erp.setRules([{ route: 'inventory', action: 'slow', delayMs: 2_000 }]);
    const env = reconciliationEnv(world, erp);
    const first = await connectTestReconciliation(env);
    const second = await connectTestReconciliation(env);
    try {
      const running = runReconciliation(first.deps, 'schedule');
      await waitFor(() => erp.stats().requests.inventory === 1, {
        description: 'the first run fetching',
        timeoutMs: 30_000,
      });
      const refused = await runReconciliation(second.deps, 'manual');
      expect(refused.status).toBe('refused');
      const done = await running;
      expect(done).toMatchObject({ status: 'completed', itemsChanged: 1 });
      expect(refused.error).toBe(`refused: job ${done.jobId} holds the lease and is still running`);
      const jobs = await first.deps.store.recentJobs(2);
      expect(jobs.map((j) => [j.id, j.status])).toEqual(
        [
          [refused.jobId, 'refused'],
          [done.jobId, 'completed'],
        ].sort((a, b) => Number(b[0]) - Number(a[0])),
      );
      expect(erp.alerts().map((a) => a.text)).toEqual([
        `:warning: [test] stock reconciliation overlap: job ${refused.jobId} (manual) did not start: job ${done.jobId} is still running`,
      ]);
      // Released: the next run may start.
      erp.clearRules();
      expect((await runReconciliation(second.deps, 'manual')).status).toBe('completed');
    } finally {
      erp.clearRules();
      await first.close();
      await second.close();
    }
  });

  it('loses no movement posted after the snapshot, before or during the run', async () => {
    erp.reset();
    const t0 = Date.now() - hour;
    await produceEvents(world, [
      movement('COUNT', 'REC-D-1', 'S-1', 50, t0),
      movement('COUNT', 'REC-D-2', 'S-1', 20, t0),
    ]);
    await waitDrained(redis, world);
    const asOf = Date.now();
    // The ERP's truth at asOf: REC-D-1 drifted to 40, REC-D-2 agrees at 20.
    erp.setInventory({
      asOf: new Date(asOf).toISOString(),
      items: [
        { sku: 'REC-D-1', locationId: 'S-1', qty: 40 },
        { sku: 'REC-D-2', locationId: 'S-1', qty: 20 },
      ],
    });
    // Sales after the snapshot, folded before the run reads the platform.
    await produceEvents(world, [
      movement('SALE', 'REC-D-1', 'S-1', 3, asOf + 10),
      movement('SALE', 'REC-D-1', 'S-1', 2, asOf + 20),
      movement('SALE', 'REC-D-2', 'S-1', 5, asOf + 30),
    ]);
    await waitDrained(redis, world);
    expect((await onHand()).get('REC-D-1|S-1')).toBe(45);
    // And one more during the run, while it waits for the ERP.
    erp.setRules([{ route: 'inventory', action: 'slow', delayMs: 1_500 }]);
    const clients = await connectTestReconciliation(reconciliationEnv(world, erp));
    try {
      const running = runReconciliation(clients.deps, 'manual');
      await waitFor(() => erp.stats().requests.inventory === 1, {
        description: 'the run fetching',
        timeoutMs: 30_000,
      });
      await produceEvents(world, [movement('SALE', 'REC-D-1', 'S-1', 1, asOf + 40)]);
      const outcome = await running;
      expect(outcome).toMatchObject({ status: 'completed', itemsChanged: 1, itemsDeferred: 0 });
      const audit = await clients.deps.store.changes(outcome.jobId);
      expect(audit.map((c) => [c.sku, c.erpQty])).toEqual([['REC-D-1', 40]]);
      await waitDrained(redis, world);
      const after = await onHand();
      // 40 at asOf, then 3 + 2 + 1 sold: the correction re-applies what happened after it.
      expect(after.get('REC-D-1|S-1')).toBe(34);
      // Agreed at asOf: untouched, the later sale stays.
      expect(after.get('REC-D-2|S-1')).toBe(15);
    } finally {
      erp.clearRules();
      await clients.close();
    }
  });

  it('alerts on many changes, on a long run, and fails a run past its timeout', async () => {
    erp.reset();
    erp.setInventory({
      items: ['S-1', 'S-2', 'S-3'].map((locationId, i) => ({ sku: 'REC-E-1', locationId, qty: 100 + i })),
    });
    const many = await connectTestReconciliation(
      reconciliationEnv(world, erp, { RECON_ALERT_CHANGED_ITEMS: '2' }),
    );
    try {
      const outcome = await runReconciliation(many.deps, 'manual');
      expect(outcome).toMatchObject({ status: 'completed', itemsChanged: 3 });
      expect(erp.alerts().map((a) => a.text)).toEqual([
        `:warning: [test] stock reconciliation many-changes: job ${outcome.jobId} corrected 3 items (more than 2)`,
      ]);
    } finally {
      await many.close();
    }
    erp.reset();
    erp.setRules([{ route: 'inventory', action: 'slow', delayMs: 1_500 }]);
    const slow = await connectTestReconciliation(
      reconciliationEnv(world, erp, { RECON_ALERT_DURATION_MS: '300', RECON_JOB_TIMEOUT_MS: '900' }),
    );
    try {
      const outcome = await runReconciliation(slow.deps, 'schedule');
      expect(outcome.status).toBe('failed');
      expect(outcome.error).toBe('the job ran longer than 900 ms');
      const texts = erp.alerts().map((a) => a.text);
      expect(texts).toHaveLength(2);
      expect(texts[0]).toContain(`long-running: job ${outcome.jobId} has been running for more than`);
      expect(texts[1]).toContain(`failed: job ${outcome.jobId} failed: the job ran longer than 900 ms`);
      const [job] = await slow.deps.store.recentJobs(1);
      expect(job).toMatchObject({ status: 'failed', error: 'the job ran longer than 900 ms' });
    } finally {
      erp.clearRules();
      await slow.close();
    }
  });

  it('runs on its cron schedule, and the jobs command lists the outcomes', async () => {
    erp.reset();
    erp.setInventory({ items: [{ sku: 'REC-F-1', locationId: 'S-1', qty: 1 }] });
    // Every second (croner's six-field form), so the test does not wait for 02:00.
    const env = reconciliationEnv(world, erp, { RECON_SCHEDULE: '* * * * * *' });
    const clients = await connectTestReconciliation(env);
    const service = clients.app;
    await service.start();
    try {
      expect(service.nextRun()?.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
      const [job] = await waitFor(
        async () => {
          const jobs = await clients.deps.store.recentJobs(5);
          return jobs.some((j) => j.trigger === 'schedule' && j.status === 'completed') && jobs;
        },
        { description: 'a scheduled run completed', timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(job?.trigger).toBe('schedule');
    } finally {
      await service.stop();
      await clients.close();
    }
    const cli = fileURLToPath(new URL('../src/jobs-cli.ts', import.meta.url));
    const rows = runJsonCli(cli, ['jobs', '--json', '--limit', '50'], env).rows as {
      trigger: string;
      status: string;
    }[];
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r.trigger === 'schedule' && ['completed', 'refused'].includes(r.status))).toBe(
      true,
    );
    const bad = spawnSync(process.execPath, ['--import', 'tsx', cli, 'jobs'], {
      env: { ...process.env, ...env, RECON_SCHEDULE: 'at two' },
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('RECON_SCHEDULE: not a cron expression');
  });

  it('SIGTERM while a run is in progress: the run completes, the process exits 0 within the deadline', async () => {
    erp.reset();
    erp.setInventory({ items: [{ sku: 'REC-G-1', locationId: 'S-1', qty: 2 }] });
    erp.setRules([{ route: 'inventory', action: 'slow', delayMs: 2_000 }]);
    const env = reconciliationEnv(world, erp, {
      RECON_SCHEDULE: '* * * * * *',
      RECON_LOG_LEVEL: 'info',
      RECON_SHUTDOWN_TIMEOUT_MS: '10000',
    });
    await archiveBucket(env);
    const service = startReconciliationProcess(env);
    const jobs = await connectTestReconciliation(env);
    try {
      await waitFor(async () => (await jobs.deps.store.recentJobs(1))[0]?.status === 'running', {
        description: () => `a scheduled run in progress (output: ${service.output().slice(-800)})`,
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      await expectOrderlyStop(service, 10_000);
      // Waited for, not abandoned: no run is left running, the last one completed.
      const recent = await jobs.deps.store.recentJobs(5);
      expect(recent.filter((j) => j.status === 'running')).toEqual([]);
      expect(recent[0]?.status).toBe('completed');
    } finally {
      erp.clearRules();
      service.child.kill('SIGKILL');
      await jobs.close();
    }
  });
});
