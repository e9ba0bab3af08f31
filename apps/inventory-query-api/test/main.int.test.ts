import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@inventory/core';
import {
  createWorld,
  produceEvents,
  type RunningAggregator,
  startAggregator,
  type World,
  waitDrained,
} from '@inventory/inventory-aggregator-test';
import { appReady, clientWarnings, stopApp, testRedis } from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryEnv, startQueryProcess } from './support.ts';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const deadlineMs = 10_000;

function runMain(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: appDir,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('inventory-query-api main', () => {
  const redis = testRedis();
  let world: World;
  let aggregator: RunningAggregator;

  beforeAll(async () => {
    world = await createWorld(3);
    const t0 = Date.now() - 60_000;
    await produceEvents(
      world,
      [4, 6].map((quantity, i) => ({
        eventId: `loadgen:${world.prefix}-${i}`,
        type: 'RECEIPT' as const,
        sku: 'SKU-MAIN',
        locationId: i === 0 ? 'S-1' : 'W-1',
        quantity,
        occurredAt: t0 + i,
        recordedAt: t0 + i,
        source: 'LOADGEN',
        sourceRef: null,
        clientId: null,
        clientEventId: null,
      })),
    );
    aggregator = startAggregator(world);
    await waitDrained(redis, world);
  });
  afterAll(async () => {
    aggregator?.child.kill('SIGTERM');
    await redis.quit();
  });

  it('refuses to start on an unknown or missing setting, naming it', () => {
    const unknown = runMain({ ...queryEnv(world), QUERY_RATE_PER_SECONDS: '5' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('QUERY_RATE_PER_SECONDS: unknown setting');
    const { QUERY_REDIS_URL: _dropped, ...withoutRedis } = queryEnv(world);
    const missing = runMain(withoutRedis);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('QUERY_REDIS_URL: missing required setting');
  });

  it('SIGTERM while reads run and change streams are open: answered, streams ended, exit 0 within the deadline', async () => {
    const app = startQueryProcess(world, {
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
    const stop = await stopApp(app);
    stopped = true;
    await Promise.all([...readers, ...streamEnds]);

    expect(stop.code, app.output().slice(-3000)).toBe(0);
    expect(stop.ms).toBeLessThan(deadlineMs);
    expect(clientWarnings(app.output())).toEqual([]);
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
