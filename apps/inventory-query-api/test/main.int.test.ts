import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashToken, waitFor } from '@inventory/core';
import { stackEndpoints } from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorld,
  produceEvents,
  type RunningAggregator,
  redisClient,
  startAggregator,
  type World,
  waitDrained,
} from '../../inventory-aggregator/src/test-support.ts';

/** The real process: settings from the environment, HTTP on a port, orderly stop on SIGTERM. */
const appDir = fileURLToPath(new URL('..', import.meta.url));
// node itself runs the TypeScript (no tsx wrapper process), so signals reach the app.
const node = (args: string[]) => [process.execPath, ['--import', 'tsx', ...args]] as const;
const port = 19_191;
const key = 'main-test-query-key';

function baseEnv(world: World): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'query-main-'));
  const keysFile = join(dir, 'keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify({ keys: [{ keyId: 'shop', keySha256: hashToken(key), scopes: ['availability:read'] }] }),
  );
  const endpoints = stackEndpoints();
  return {
    PATH: process.env.PATH,
    QUERY_KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
    QUERY_REDIS_URL: endpoints.REDIS_URL,
    QUERY_API_KEYS_FILE: keysFile,
    QUERY_HTTP_PORT: String(port),
    QUERY_REDIS_PREFIX: world.prefix,
    QUERY_INPUT_TOPIC: world.input,
    QUERY_AVAILABILITY_TOPIC: world.availability,
    QUERY_LOCATIONS_TOPIC: world.locations,
    QUERY_COMMANDS_TOPIC: world.commands,
    QUERY_OUTCOMES_TOPIC: world.outcomes,
    QUERY_LOG_LEVEL: 'warn',
    ...(endpoints.SCHEMA_REGISTRY_URL ? { QUERY_SCHEMA_REGISTRY_URL: endpoints.SCHEMA_REGISTRY_URL } : {}),
  };
}

describe('inventory-query-api main', () => {
  const redis = redisClient();
  let world: World;
  let aggregator: RunningAggregator;
  let child: ChildProcess | undefined;

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
    child?.kill('SIGKILL');
    aggregator?.child.kill('SIGTERM');
    await redis.quit();
  });

  it('refuses to start on an unknown or missing setting, naming it', () => {
    const unknown = spawnSync(...node(['src/main.ts']), {
      cwd: appDir,
      env: { ...baseEnv(world), QUERY_RATE_PER_SECONDS: '5' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('QUERY_RATE_PER_SECONDS: unknown setting');
    const { QUERY_REDIS_URL: _dropped, ...withoutRedis } = baseEnv(world);
    const missing = spawnSync(...node(['src/main.ts']), {
      cwd: appDir,
      env: withoutRedis,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('QUERY_REDIS_URL: missing required setting');
  });

  it('serves the aggregated figures over HTTP and stops cleanly on SIGTERM', async () => {
    const started = spawn(...node(['src/main.ts']), {
      cwd: appDir,
      env: baseEnv(world),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let output = '';
    started.stdout?.on('data', (d) => {
      output += d;
    });
    started.stderr?.on('data', (d) => {
      output += d;
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok, {
      description: () => `the query API to be ready (output: ${output.slice(-500)})`,
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const response = await fetch(`http://127.0.0.1:${port}/v1/availability/SKU-MAIN?region=west`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      sku: 'SKU-MAIN',
      onHand: 6,
      locations: [{ locationId: 'W-1', onHand: 6 }],
    });

    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
    started.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toContain(key);
  });
});
