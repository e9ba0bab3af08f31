import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackHome } from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listApps, type RunningPlatform, startApps } from '../../../scripts/platform.mjs';
import { runNetworkLoad } from './network-run.ts';
import { profiles } from './workload.ts';

/**
 * The load generator over three data centres, against each one's store ingest, aggregator
 * and query API as `npm start -- --dcs 3` runs them: every event to its location's home, and
 * every data centre's network view exact against the ground truth of all of them.
 */
const three = existsSync(join(stackHome(), 'dc3', 'endpoints.json'));
const credentials = JSON.parse(
  readFileSync(new URL('../../../deploy/local/dev-credentials.json', import.meta.url), 'utf8'),
) as { storeIngest: { clientId: string; token: string }[]; queryApi: { keyId: string; key: string }[] };

describe.runIf(three)('loadgen over three data centres', () => {
  let platform: RunningPlatform | undefined;
  const dcsBefore = process.env.INVENTORY_STACK_DCS;
  const originOf = (name: string) =>
    new URL(platform?.running.find((r) => r.app.name === name)?.app.ready as string).origin;

  beforeAll(async () => {
    process.env.INVENTORY_STACK_DCS = '3';
    const apps = listApps().filter((a) =>
      ['store-ingest', 'inventory-aggregator', 'inventory-query-api'].includes(
        a.name.split('@')[0] as string,
      ),
    );
    platform = await startApps({ apps, readyTimeoutMs: 240_000 });
  }, 300_000);

  afterAll(async () => {
    const failed = await platform?.stop();
    if (dcsBefore === undefined) delete process.env.INVENTORY_STACK_DCS;
    else process.env.INVENTORY_STACK_DCS = dcsBefore;
    expect(failed).toEqual([]);
  }, 60_000);

  it('sends each event to its home and every data centre ends exact, with the replication delay measured', async () => {
    const report = await runNetworkLoad({
      sites: ['dc1', 'dc2', 'dc3'].map((dc) => ({
        dataCentre: dc,
        ingestUrl: originOf(dc === 'dc1' ? 'store-ingest' : `store-ingest@${dc}`),
        queryUrl: originOf(dc === 'dc1' ? 'inventory-query-api' : `inventory-query-api@${dc}`),
      })),
      token: credentials.storeIngest.find((c) => c.clientId === 'central-replay')?.token as string,
      queryKey: credentials.queryApi.find((k) => k.keyId === 'webshop')?.key as string,
      profile: profiles.small as NonNullable<typeof profiles.small>,
      seed: 7,
      prefix: `NL${Date.now().toString(36).toUpperCase()}`,
      events: 12_000,
      ratePerSecond: 3_000,
      senders: 2,
      batchSize: 250,
      probeIntervalMs: 300,
      drainTimeoutMs: 120_000,
    });
    expect(report.convergence.map((c) => [c.dataCentre, c.exact, c.differences])).toEqual([
      ['dc1', true, []],
      ['dc2', true, []],
      ['dc3', true, []],
    ]);
    // Every data centre compared every location x sku of the run.
    expect(new Set(report.convergence.map((c) => c.locationsCompared)).size).toBe(1);
    expect(report.convergence[0]?.skusCompared).toBeGreaterThan(200);
    expect(report.events).toBe(12_000);
    const byDc = Object.values(report.eventsByDataCentre);
    expect(byDc.reduce((a, b) => a + b, 0)).toBe(12_000);
    expect(byDc.every((n) => n > 0)).toBe(true);
    expect(report.replicationDelayMs.samples).toBeGreaterThan(0);
    expect(report.localFreshnessMs.samples).toBeGreaterThan(0);
  });
});
