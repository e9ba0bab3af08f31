import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@inventory/core';
import { foregroundContext } from '@inventory/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from './app.ts';
import { parseConsoleConfig } from './config.ts';
import { upstreamUrl } from './proxy.ts';

describe('what the console forwards', () => {
  const query = {
    prefix: '/api/query',
    base: 'http://q:1/',
    methods: ['GET' as const],
    allow: /^\/v1\/[A-Za-z0-9/_.~%-]*$/,
  };

  it('maps a path under the prefix to the API, with its query string', () => {
    expect(upstreamUrl(query, '/api/query/v1/availability/SKU-1?region=north')).toBe(
      'http://q:1/v1/availability/SKU-1?region=north',
    );
  });

  it('refuses paths the API is not asked on, and climbing out', () => {
    expect(upstreamUrl(query, '/api/query/docs/json')).toBeUndefined();
    expect(upstreamUrl(query, '/api/query/v1/../metrics')).toBeUndefined();
  });
});

describe('the console server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-page-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  const config = parseConsoleConfig({
    CONSOLE_STATIC_DIR: dir,
    // Nothing listens there: an upstream that does not answer.
    CONSOLE_PROMETHEUS_URL: 'http://127.0.0.1:9',
    CONSOLE_UPSTREAM_TIMEOUT_MS: '2000',
  });
  let service: Awaited<ReturnType<typeof buildConsole>>;
  beforeAll(async () => {
    service = await buildConsole(
      config,
      undefined,
      foregroundContext(createLogger('console-test', 'silent')),
    );
  });
  afterAll(() => service.http?.close());

  it('serves the page with a policy that allows only its own scripts and calls', async () => {
    const page = await service.http?.inject({ method: 'GET', url: '/' });
    expect(page?.statusCode).toBe(200);
    expect(page?.body).toContain('<title>console</title>');
    expect(page?.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page?.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it("forwards only Prometheus' read endpoints, and says 502 when it does not answer", async () => {
    const admin = await service.http?.inject({
      method: 'GET',
      url: '/api/prometheus/api/v1/admin/tsdb/snapshot',
    });
    expect(admin?.statusCode).toBe(404);
    const post = await service.http?.inject({
      method: 'POST',
      url: '/api/prometheus/api/v1/query',
      payload: 'query=up',
    });
    expect(post?.statusCode).toBe(404);
    const down = await service.http?.inject({ method: 'GET', url: '/api/prometheus/api/v1/query?query=up' });
    expect(down?.statusCode).toBe(502);
    expect(down?.json().error.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('is ready once the page is built', async () => {
    expect((await service.http?.inject({ method: 'GET', url: '/readyz' }))?.statusCode).toBe(200);
  });

  it('refuses unknown settings by name', () => {
    expect(() => parseConsoleConfig({ CONSOLE_QUERY_URL: 'http://x' })).toThrow(/CONSOLE_QUERY_URL/);
  });
});
