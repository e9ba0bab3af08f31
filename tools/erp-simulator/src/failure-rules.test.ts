import { waitFor } from '@inventory/core';
import { describe, expect, it } from 'vitest';
import { startErpSimulator } from './server.ts';
import { order, testToken, useTestSimulator } from './test-client.ts';

const { sim, send } = useTestSimulator();

describe('failure rules', () => {
  it("'status' fails the next N requests with Retry-After, then the request goes through", async () => {
    sim().setRules([{ route: 'purchase-orders', action: 'status', status: 503, times: 2 }]);
    const attempts: Response[] = [];
    for (let i = 0; i < 3; i++) attempts.push(await send('/purchase-orders', order(), { key: 'po-1' }));
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 201]);
    expect(attempts[0]?.headers.get('retry-after')).toBe('1');
    expect(await attempts[0]?.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
    // Refused attempts neither recorded nor holding the key: the third one is accepted, not replayed.
    expect(sim().received('purchase-orders')).toEqual([
      expect.objectContaining({ idempotencyKey: 'po-1', calls: 1 }),
    ]);
    expect(sim().stats()).toMatchObject({
      failuresInjected: 2,
      requests: { 'purchase-orders': 3 },
      invalid: 0,
    });
  });

  it("'down' drops the connection without an answer", async () => {
    sim().setRules([{ action: 'down', times: 1 }]);
    await expect(send('/purchase-orders', order(), { key: 'po-1' })).rejects.toThrow(TypeError);
    expect(sim().received('purchase-orders')).toEqual([]);
    expect((await send('/purchase-orders', order(), { key: 'po-1' })).status).toBe(201);
    expect(sim().stats().failuresInjected).toBe(1);
  });

  it("'slow' delays, then answers normally", async () => {
    sim().setRules([{ route: 'inventory', action: 'slow', delayMs: 150 }]);
    const started = performance.now();
    const response = await fetch(`${sim().url}/inventory`, {
      headers: { authorization: `Bearer ${testToken}` },
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(response.status).toBe(200);
  });

  it('a match filter fails only the requests that contain it', async () => {
    sim().setRules([{ match: 'WEB-7', action: 'status', status: 422 }]);
    expect((await send('/purchase-orders', order('WEB-1'), { key: 'po-WEB-1' })).status).toBe(201);
    expect((await send('/purchase-orders', order('WEB-2'), { key: 'po-WEB-7-retry' })).status).toBe(422);
    expect((await send('/purchase-orders', order('WEB-7'), { key: 'po-x' })).status).toBe(422);
    expect(
      sim()
        .received('purchase-orders')
        .map((r) => r.idempotencyKey),
    ).toEqual(['po-WEB-1']);
  });

  it('applies before authentication: a down ERP does not check tokens', async () => {
    sim().setRules([{ action: 'status', status: 500, times: 1 }]);
    expect((await send('/purchase-orders', order(), { key: 'k', token: null })).status).toBe(500);
    expect((await send('/purchase-orders', order(), { key: 'k', token: null })).status).toBe(401);
  });

  it('never affects /_admin', async () => {
    sim().setRules([{ action: 'down' }]);
    const stats = await fetch(`${sim().url}/_admin/stats`);
    expect(stats.status).toBe(200);
    expect((await fetch(`${sim().url}/_admin/rules`, { method: 'DELETE' })).status).toBe(204);
    expect((await send('/purchase-orders', order(), { key: 'k' })).status).toBe(201);
  });

  it('stopping ends a slowed request with 503 instead of waiting out its delay', async () => {
    const own = await startErpSimulator({ token: testToken });
    own.setRules([{ route: 'inventory', action: 'slow', delayMs: 60_000 }]);
    const pending = fetch(`${own.url}/inventory`, { headers: { authorization: `Bearer ${testToken}` } });
    await waitFor(() => own.stats().failuresInjected === 1, {
      description: 'the slowed request',
      timeoutMs: 5_000,
    });
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(5_000);
    const response = await pending;
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'SHUTTING_DOWN' } });
  });
});
