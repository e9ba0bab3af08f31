import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@inventory/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPlatform, startApps } from '../../../scripts/platform.mjs';
import { devCredentials, repoRoot } from './apps.ts';
import { parseStackSettings } from './config.ts';
import { dataCentreOfApp, localPlatform } from './local-dcs.ts';
import { brokerRefusals } from './refusals.ts';

/**
 * `npm start -- --dcs 3` as it runs each data centre's store ingest, aggregator and query API
 * (local-dcs.ts), on the catalog's topics, every app as its own Kafka and Redis user of its
 * data centre: a count posted in one data centre is answered in all three with its home, a
 * reservation asked in one is decided in the location's home as that data centre's query API user
 * there, and an event sent to the wrong data centre is not counted.
 */
const home = parseStackSettings().HOME;
const three = existsSync(join(home, 'dc3', 'endpoints.json'));
const settings = parseStackSettings({ ...process.env, INVENTORY_STACK_HOME: home, INVENTORY_STACK_DCS: '3' });
const apps = localPlatform(settings).filter((a) =>
  ['store-ingest', 'inventory-aggregator', 'inventory-query-api'].includes(a.name.split('@')[0] as string),
);
const credentials = devCredentials();
const replayToken = credentials.storeIngest.find((c) => c.clientId === 'central-replay')?.token as string;
const shopKey = credentials.queryApi.find((k) => k.keyId === 'webshop')?.key as string;
const urlIn = (dc: string, name: string, path: string) => {
  const app = apps.find((a) => a.name.split('@')[0] === name && dataCentreOfApp(a.name) === dc);
  return new URL(path, app?.ready).toString();
};

describe.runIf(three)('the local platform of three data centres (npm start -- --dcs 3)', () => {
  let platform: RunningPlatform | undefined;
  const dcsBefore = process.env.INVENTORY_STACK_DCS;

  beforeAll(async () => {
    // The launcher (launch.ts) of each app reads the setting, as under `npm start -- --dcs 3`.
    process.env.INVENTORY_STACK_DCS = '3';
    const seeded = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'tools/local-stack/src/cli.ts'), 'seed'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(seeded.status, seeded.stderr).toBe(0);
    expect(seeded.stdout.match(/seeded 17 locations/g)).toHaveLength(3);
    platform = await startApps({ apps, readyTimeoutMs: 240_000 });
  }, 300_000);

  afterAll(async () => {
    const failed = await platform?.stop();
    if (dcsBefore === undefined) delete process.env.INVENTORY_STACK_DCS;
    else process.env.INVENTORY_STACK_DCS = dcsBefore;
    expect(failed).toEqual([]);
  }, 60_000);

  it("runs each data centre's ingest, aggregator and query API, ready, on its own ports", () => {
    expect(platform?.running.map((r) => [r.app.name, new URL(r.app.ready).port, r.ready])).toEqual([
      ['store-ingest', '19100', true],
      ['inventory-aggregator', '19110', true],
      ['inventory-query-api', '19120', true],
      ['store-ingest@dc2', '20100', true],
      ['inventory-aggregator@dc2', '20110', true],
      ['inventory-query-api@dc2', '20120', true],
      ['store-ingest@dc3', '21100', true],
      ['inventory-aggregator@dc3', '21110', true],
      ['inventory-query-api@dc3', '21120', true],
    ]);
  });

  it('answers a count in every data centre with its home, decides a reservation in the home, and counts no event sent to the wrong data centre', async () => {
    const sku = `SKU-DCS-${Date.now().toString(36).toUpperCase()}`;
    const post = async (dc: string, locationId: string, quantity: number, suffix: string) => {
      const response = await fetch(urlIn(dc, 'store-ingest', '/v1/events'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${replayToken}` },
        body: JSON.stringify({
          eventId: `${sku}-${suffix}`,
          type: 'RECEIPT',
          sku,
          locationId,
          quantity,
          occurredAt: new Date(Date.now() - 60_000).toISOString(),
          reference: 'dcs-check',
        }),
      });
      expect(response.status, `${suffix} posted in ${dc}`).toBe(202);
    };
    const query = (dc: string, path: string, init: RequestInit = {}) =>
      fetch(urlIn(dc, 'inventory-query-api', path), {
        ...init,
        headers: {
          authorization: `Bearer ${shopKey}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
      });
    type Answer = {
      onHand: number;
      reserved: number;
      locations: { locationId: string; dataCentre: string; onHand: number; reserved: number }[];
    };
    const answer = async (dc: string) =>
      (await (await query(dc, `/v1/availability/${sku}`)).json()) as Answer;
    const atLocations = (a: Answer) =>
      [...a.locations]
        .sort((x, y) => x.locationId.localeCompare(y.locationId))
        .map(({ locationId, dataCentre, onHand, reserved }) => ({
          locationId,
          dataCentre,
          onHand,
          reserved,
        }));

    // STORE-005 is homed in dc2: sent to dc1, it is dead-lettered there, not counted.
    await post('dc1', 'STORE-005', 1000, 'misrouted');
    await post('dc1', 'STORE-001', 3, 'dc1');
    await post('dc2', 'STORE-005', 40, 'dc2');
    await post('dc3', 'STORE-009', 7, 'dc3');
    const expected = [
      { locationId: 'STORE-001', dataCentre: 'dc1', onHand: 3, reserved: 0 },
      { locationId: 'STORE-005', dataCentre: 'dc2', onHand: 40, reserved: 0 },
      { locationId: 'STORE-009', dataCentre: 'dc3', onHand: 7, reserved: 0 },
    ];
    for (const dc of ['dc1', 'dc2', 'dc3']) {
      let last: unknown;
      await waitFor(
        async () => {
          last = atLocations(await answer(dc));
          return JSON.stringify(last) === JSON.stringify(expected);
        },
        { description: `${dc} to answer ${sku} in every data centre`, timeoutMs: 90_000, intervalMs: 250 },
      ).catch(() => {});
      expect(last, `${sku} in ${dc}`).toEqual(expected);
    }

    // Asked in dc1, decided in dc2 (the home), as dc1's query API user of dc2's cluster (inventory-query-api-dc1).
    const confirmed = await query('dc1', '/v1/reservations', {
      method: 'POST',
      body: JSON.stringify({ reservationId: `${sku}-web-1`, sku, quantity: 30, locationId: 'STORE-005' }),
    });
    expect(confirmed.status, await confirmed.clone().text()).toBe(201);
    const refused = await query('dc3', '/v1/reservations', {
      method: 'POST',
      body: JSON.stringify({ reservationId: `${sku}-web-2`, sku, quantity: 20, locationId: 'STORE-005' }),
    });
    expect(refused.status).toBe(409);
    for (const dc of ['dc1', 'dc2', 'dc3'])
      await waitFor(async () => (await answer(dc)).reserved === 30, {
        description: `${dc} to see the reservation decided in dc2`,
        timeoutMs: 60_000,
        intervalMs: 250,
      });
    expect(await answer('dc3')).toMatchObject({ onHand: 50, reserved: 30 });
    expect(brokerRefusals(platform as RunningPlatform)).toEqual([]);
  });
});
