import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashToken, waitFor } from '@inventory/core';
import { stackEndpoints } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { storeEvent } from './test-app.ts';

/** The real process: settings from the environment, HTTP on a port, orderly stop on SIGTERM. */
const appDir = fileURLToPath(new URL('..', import.meta.url));
// node itself runs the TypeScript (no tsx wrapper process), so signals reach the app.
const node = (args: string[]) => [process.execPath, ['--import', 'tsx', ...args]] as const;
const port = 19_190;

function baseEnv(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-main-'));
  const tokensFile = join(dir, 'tokens.json');
  writeFileSync(
    tokensFile,
    JSON.stringify({
      clients: [
        { clientId: 'store-1', tokenSha256: hashToken('main-test-token'), locationIds: ['STORE-001'] },
      ],
    }),
  );
  const endpoints = stackEndpoints();
  return {
    PATH: process.env.PATH,
    INGEST_KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
    INGEST_TOKENS_FILE: tokensFile,
    INGEST_HTTP_PORT: String(port),
    INGEST_LOG_LEVEL: 'warn',
    ...(endpoints.SCHEMA_REGISTRY_URL ? { INGEST_SCHEMA_REGISTRY_URL: endpoints.SCHEMA_REGISTRY_URL } : {}),
  };
}

describe('store-ingest main', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('refuses to start on an unknown or missing setting, naming it', () => {
    const env = { ...baseEnv(), INGEST_KAFKA_BROKER: 'typo:9092' };
    const unknown = spawnSync(...node(['src/main.ts']), {
      cwd: appDir,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('INGEST_KAFKA_BROKER: unknown setting');
    const { INGEST_TOKENS_FILE: _dropped, ...withoutTokens } = baseEnv();
    const missing = spawnSync(...node(['src/main.ts']), {
      cwd: appDir,
      env: withoutTokens,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(missing.stderr).toContain('INGEST_TOKENS_FILE: missing required setting');
  });

  it('serves over HTTP, accepts events, and stops cleanly on SIGTERM', async () => {
    const started = spawn(...node(['src/main.ts']), {
      cwd: appDir,
      env: baseEnv(),
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
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, {
      description: 'store-ingest to be ready',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const response = await fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer main-test-token' },
      body: JSON.stringify(storeEvent()),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 1 });

    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
    started.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toContain('main-test-token');
  });
});
