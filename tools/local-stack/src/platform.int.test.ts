import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@inventory/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPlatform, startApps } from '../../../scripts/platform.mjs';
import { devCredentials, localApps, repoRoot } from './apps.ts';
import { parseStackSettings } from './config.ts';
import { readEndpoints } from './endpoints.ts';
import { brokerRefusals } from './refusals.ts';

/**
 * The platform as `npm start` runs it, on the catalog's topics: every app as its own Kafka
 * user with only the ACLs of the access table, its own Redis user, its password from a file.
 * An ACL the table lacks shows here as an app that does not get ready, or a flow that stops.
 */
const endpoints = readEndpoints(parseStackSettings().HOME);
const secured = endpoints.KAFKA_TLS === 'true';
const credentials = devCredentials();
const storeToken = credentials.storeIngest.find((c) => c.clientId === 'store-001-tills')?.token as string;
const shopKey = credentials.queryApi.find((k) => k.keyId === 'webshop')?.key as string;
const url = (name: string, path: string) =>
  new URL(path, localApps.find((a) => a.name === name)?.ready).toString();

describe.runIf(secured)('the platform with every app as its own Kafka user', () => {
  let platform: RunningPlatform | undefined;

  beforeAll(async () => {
    // The demo locations, published as the master-data user (the one allowed to).
    const seeded = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'tools/local-stack/src/cli.ts'), 'seed'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(seeded.status, seeded.stderr).toBe(0);
    platform = await startApps({
      apps: localApps.filter((a) => a.name !== 'console'),
      readyTimeoutMs: 240_000,
    });
  }, 300_000);

  afterAll(async () => {
    const failed = await platform?.stop();
    expect(failed).toEqual([]);
  }, 60_000);

  it('all apps got ready, each as its own user', () => {
    expect(platform?.running.map((r) => [r.app.name, r.ready])).toEqual(
      localApps.filter((a) => a.name !== 'console').map((a) => [a.name, true]),
    );
  });

  it('a receipt posted at a till is counted, reserved and committed through the query API, with no refusal by the broker', async () => {
    const sku = `SKU-ACL-${Date.now().toString(36).toUpperCase()}`;
    const posted = await fetch(url('store-ingest', '/v1/events'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${storeToken}` },
      body: JSON.stringify({
        eventId: `${sku}-receipt`,
        type: 'RECEIPT',
        sku,
        locationId: 'STORE-001',
        quantity: 10,
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        reference: 'acl-check',
      }),
    });
    expect(posted.status).toBe(202);
    const query = (path: string, init: RequestInit = {}) =>
      fetch(url('inventory-query-api', path), {
        ...init,
        headers: {
          authorization: `Bearer ${shopKey}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
      });
    const availability = async () =>
      (await (await query(`/v1/availability/${sku}`)).json()) as Record<string, unknown>;
    await waitFor(async () => (await availability()).onHand === 10, {
      description: `${sku} counted`,
      timeoutMs: 60_000,
    });
    const reserved = await query('/v1/reservations', {
      method: 'POST',
      body: JSON.stringify({ reservationId: `${sku}-web`, sku, quantity: 4, locationId: 'STORE-001' }),
    });
    expect(reserved.status).toBe(201);
    expect(await availability()).toMatchObject({ onHand: 10, reserved: 4, available: 6 });
    const committed = await query(`/v1/reservations/${sku}-web/commit`, { method: 'POST' });
    expect(committed.status).toBe(200);
    await waitFor(async () => (await availability()).onHand === 6, {
      description: `the committed sale of ${sku} folded`,
      timeoutMs: 60_000,
    });
    expect(await availability()).toMatchObject({ onHand: 6, reserved: 0, available: 6 });
    expect(brokerRefusals(platform as RunningPlatform)).toEqual([]);
  });
});
