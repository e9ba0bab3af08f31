import { fileURLToPath } from 'node:url';
import { waitFor } from '@inventory/core';
import { platformEvent } from '@inventory/domain';
import { useWorld } from '@inventory/inventory-aggregator-test';
import { appReady, expectOrderlyStop, runMain } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import { queryEnv, startQueryProcess } from './support.ts';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const deadlineMs = 10_000;

const runAppMain = (env: Record<string, string>) => runMain(appDir, env);

describe('inventory-query-api main', () => {
  const t0 = Date.now() - 60_000;
  const folded = useWorld({
    partitions: 3,
    events: (world) =>
      [4, 6].map((quantity, i) =>
        platformEvent('LOADGEN', `${world.prefix}-${i}`, {
          type: 'RECEIPT',
          sku: 'SKU-MAIN',
          locationId: i === 0 ? 'S-1' : 'W-1',
          quantity,
          occurredAt: t0 + i,
        }),
      ),
  });

  it('refuses to start on an unknown or missing setting, naming it', () => {
    const unknown = runAppMain({ ...queryEnv(folded.world), QUERY_RATE_PER_SECONDS: '5' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('QUERY_RATE_PER_SECONDS: unknown setting');
    const { QUERY_REDIS_URL: _dropped, ...withoutRedis } = queryEnv(folded.world);
    const missing = runAppMain(withoutRedis);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('QUERY_REDIS_URL or QUERY_REDIS_URL_FILE: missing required setting');
  });

  it('SIGTERM while reads run and change streams are open: answered, streams ended, exit 0 within the deadline', async () => {
    const app = startQueryProcess(folded.world, {
      QUERY_LOG_LEVEL: 'info',
      QUERY_SHUTDOWN_TIMEOUT_MS: String(deadlineMs),
    });
    await appReady(app);
    const base = `http://127.0.0.1:${app.port}`;
    const headers = { authorization: 'Bearer shop-key' };
    const streams = await Promise.all(
      Array.from({ length: 4 }, () => fetch(`${base}/v1/availability/changes?sku=SKU-MAIN`, { headers })),
    );
    const streamEnds = streams.map(async (stream) => {
      for await (const _ of stream.body as unknown as AsyncIterable<Uint8Array>);
    });
    const answers: unknown[] = [];
    let stopped = false;
    const reader = async () => {
      while (!stopped) {
        const response = await fetch(`${base}/v1/availability/SKU-MAIN?region=west`, { headers }).catch(
          () => undefined,
        );
        if (response === undefined) return;
        answers.push(response.status === 200 ? await response.json() : response.status);
      }
    };
    const readers = Array.from({ length: 8 }, reader);
    await waitFor(() => answers.length >= 200, {
      description: () => `200 answers (have ${answers.length})`,
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    await expectOrderlyStop(app, deadlineMs);
    stopped = true;
    await Promise.all([...readers, ...streamEnds]);
    expect(app.output()).not.toContain('shop-key');
    // Every answer given before the stop was complete and exact (503 while stopping is allowed).
    const figures = answers.filter((a) => typeof a !== 'number');
    expect(figures.length).toBeGreaterThanOrEqual(200);
    for (const figure of figures)
      expect(figure).toMatchObject({
        sku: 'SKU-MAIN',
        onHand: 6,
        locations: [{ locationId: 'W-1', onHand: 6 }],
      });
    expect(answers.filter((a) => typeof a === 'number' && a !== 503)).toEqual([]);
  });
});
