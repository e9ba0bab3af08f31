import { createLogger } from '@inventory/core';
import { describe, expect, it } from 'vitest';
import { capturingLogger } from './log-capture.ts';
import { createRegistry, meter } from './metrics.ts';
import { opsServer, runChecks } from './ops.ts';
import { httpServerDefaults } from './settings.ts';

describe('ops routes', () => {
  it('/readyz names every check; one failing, slow or throwing makes it 503; stopping makes it 503', async () => {
    expect(
      await runChecks(
        {
          kafka: () => true,
          redis: async () => false,
          registry: () => new Promise<boolean>(() => {}),
          group: () => {
            throw new Error('not joined');
          },
        },
        50,
      ),
    ).toEqual({
      kafka: { ok: true },
      redis: { ok: false, error: 'not ready' },
      registry: { ok: false, error: 'readiness check registry did not complete within 50 ms' },
      group: { ok: false, error: 'not joined' },
    });
    let stopping = false;
    let redisUp = true;
    const registry = createRegistry();
    meter(registry).counter('test_things_total', 'Things').inc(3);
    const app = opsServer(
      createLogger('ops-test', 'silent'),
      { registry, checks: { redis: () => redisUp }, stopping: () => stopping },
      httpServerDefaults(),
    );
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({
      status: 'ready',
      checks: { redis: { ok: true } },
    });
    redisUp = false;
    const down = await app.inject({ url: '/readyz' });
    expect([down.statusCode, down.json().status]).toEqual([503, 'not ready']);
    redisUp = true;
    stopping = true;
    const stoppingAnswer = await app.inject({ url: '/readyz' });
    expect([stoppingAnswer.statusCode, stoppingAnswer.json().status]).toEqual([503, 'stopping']);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^test_things_total 3$/m);
    expect(metrics).toMatch(/^process_cpu_seconds_total /m);
  });

  it('with an ops token, /metrics answers only its bearer and /readyz names no reason to others', async () => {
    const registry = createRegistry();
    const app = opsServer(
      createLogger('ops-test', 'silent'),
      {
        registry,
        checks: {
          kafka: () => {
            throw new Error('connect ECONNREFUSED 127.0.0.1:19092');
          },
        },
      },
      { ...httpServerDefaults(), HTTP_OPS_TOKEN: 'ops-secret-1' },
    );
    const metrics = (authorization?: string) =>
      app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
    const refused = await metrics();
    expect([refused.statusCode, refused.json().error.code, refused.headers['cache-control']]).toEqual([
      401,
      'UNAUTHENTICATED',
      'no-store',
    ]);
    expect((await metrics('Bearer ops-secret-2')).statusCode).toBe(401);
    expect((await metrics('Bearer ops-secret-1')).statusCode).toBe(200);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const anonymous = await app.inject({ url: '/readyz' });
    expect([anonymous.statusCode, anonymous.json()]).toEqual([
      503,
      { status: 'not ready', checks: { kafka: { ok: false, error: 'not ready' } } },
    ]);
    const operator = await app.inject({ url: '/readyz', headers: { authorization: 'Bearer ops-secret-1' } });
    expect(operator.json().checks.kafka).toEqual({
      ok: false,
      error: 'connect ECONNREFUSED 127.0.0.1:19092',
    });
  });

  it('answers scrapes and probes without a log line; a refusal is still logged', async () => {
    const { logger, lines } = capturingLogger('info');
    const app = opsServer(
      logger,
      { registry: createRegistry(), checks: {}, stopping: () => false },
      { ...httpServerDefaults(), HTTP_OPS_TOKEN: 'ops-secret-token' },
    );
    for (const url of ['/metrics', '/healthz', '/readyz'])
      await app.inject({ url, headers: { authorization: 'Bearer ops-secret-token' } });
    expect(lines).toEqual([]);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect(lines.map((l) => [l.level, l.code])).toEqual([[30, 'UNAUTHENTICATED']]);
  });
});
