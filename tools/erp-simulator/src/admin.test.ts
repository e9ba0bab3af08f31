import { describe, expect, it } from 'vitest';
import { order, testToken, useTestSimulator } from './test-client.ts';

const { sim, send } = useTestSimulator();
const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${sim().url}/_admin${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });

describe('/_admin', () => {
  it('sets rules over HTTP, reports stats, clears rules', async () => {
    const put = await admin('PUT', '/rules', [{ route: 'purchase-orders', action: 'status', status: 429 }]);
    expect(await put.json()).toEqual({ rules: 1 });
    const limited = await send('/purchase-orders', order(), { key: 'k' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await (await admin('GET', '/stats')).json()).toMatchObject({
      requests: { 'purchase-orders': 1 },
      failuresInjected: 1,
    });
    expect((await admin('DELETE', '/rules')).status).toBe(204);
    expect((await send('/purchase-orders', order(), { key: 'k' })).status).toBe(201);
  });

  it('refuses an invalid rule with 400 naming the field, keeping the rules it had', async () => {
    sim().setRules([{ route: 'purchase-orders', action: 'status', status: 500 }]);
    const response = await admin('PUT', '/rules', [{ action: 'slow', delayMs: 5, times: -1 }]);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'INVALID_RULES', field: 'rules[0].times' },
    });
    expect((await send('/purchase-orders', order(), { key: 'k' })).status).toBe(500);
  });

  it('lists received records by kind, and alerts', async () => {
    await send('/purchase-orders', order(), { key: 'po-1' });
    const received = await (await admin('GET', '/received?kind=purchase-orders')).json();
    expect(received).toEqual([expect.objectContaining({ idempotencyKey: 'po-1', calls: 1 })]);
    expect((await admin('GET', '/received?kind=orders')).status).toBe(400);
    expect(await (await admin('GET', '/alerts')).json()).toEqual([]);
  });

  it('sets the inventory, dated at the PUT when asOf is omitted', async () => {
    const before = Date.now();
    const put = await admin('PUT', '/inventory', { items: [{ sku: 'A', locationId: 'L', qty: 3 }] });
    expect(await put.json()).toMatchObject({ items: 1 });
    const served = (await (
      await fetch(`${sim().url}/inventory`, { headers: { authorization: `Bearer ${testToken}` } })
    ).json()) as { asOf: string; items: unknown[] };
    expect(Date.parse(served.asOf)).toBeGreaterThanOrEqual(before - 1);
    expect(served.items).toEqual([{ sku: 'A', locationId: 'L', qty: 3 }]);
    expect((await admin('PUT', '/inventory', { items: [{ sku: 'A' }] })).status).toBe(400);
  });

  it('resets over HTTP', async () => {
    await send('/purchase-orders', order(), { key: 'po-1' });
    expect((await admin('POST', '/reset')).status).toBe(204);
    expect(sim().received('purchase-orders')).toEqual([]);
    expect(sim().stats().accepted['purchase-orders']).toBe(0);
  });
});
