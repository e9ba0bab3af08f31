import { describe, expect, it } from 'vitest';
import { order, soldQuantity, testToken, useTestSimulator } from './test-client.ts';

const { sim, send } = useTestSimulator();

describe('business routes', () => {
  it('refuses a missing or unknown bearer token with 401 and a JSON error', async () => {
    const missing = await send('/purchase-orders', order(), { key: 'k', token: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const wrong = await send('/sold-quantities', soldQuantity(), { key: 'k', token: 'not-the-token' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
    expect(sim().stats().unauthorized).toBe(2);
    expect(sim().received('purchase-orders')).toEqual([]);
  });

  it('requires an Idempotency-Key', async () => {
    const response = await send('/purchase-orders', order());
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REQUIRED' } });
  });

  it('accepts once, then replays an identical repeat without applying it', async () => {
    const first = await send('/purchase-orders', order(), { key: 'po-WEB-1001' });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ status: 'accepted', idempotencyKey: 'po-WEB-1001' });
    const again = await send('/purchase-orders', order(), { key: 'po-WEB-1001' });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual({ status: 'accepted', idempotencyKey: 'po-WEB-1001' });
    expect(sim().stats()).toMatchObject({
      accepted: { 'purchase-orders': 1 },
      duplicates: { 'purchase-orders': 1 },
    });
    expect(sim().received('purchase-orders')).toEqual([
      { idempotencyKey: 'po-WEB-1001', body: order(), firstAt: expect.any(String), calls: 2 },
    ]);
  });

  it('refuses a key reused with a different body with 409', async () => {
    expect((await send('/purchase-orders', order('WEB-1'), { key: 'k' })).status).toBe(201);
    const reused = await send('/purchase-orders', order('WEB-2'), { key: 'k' });
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(sim().stats().conflicts).toBe(1);
    expect(
      sim()
        .received('purchase-orders')
        .map((r) => (r.body as { orderId: string }).orderId),
    ).toEqual(['WEB-1']);
  });

  it('keeps purchase-order and sold-quantity keys apart', async () => {
    expect((await send('/purchase-orders', order(), { key: 'same' })).status).toBe(201);
    expect((await send('/sold-quantities', soldQuantity(), { key: 'same' })).status).toBe(201);
    expect(sim().stats().accepted).toEqual({
      'purchase-orders': 1,
      'sold-quantities': 1,
      'supplier-sold-quantities': 0,
    });
  });

  it('answers an invalid body with 422 naming the field, and leaves the key free', async () => {
    const bad = { ...order(), lines: [{ ...order().lines[0], quantity: -1 }] };
    const response = await send('/purchase-orders', bad, { key: 'k' });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      error: {
        code: 'INVALID_BODY',
        field: 'lines[0].quantity',
        message: expect.stringContaining('lines[0].quantity'),
      },
    });
    expect(sim().stats().invalid).toBe(1);
    expect((await send('/purchase-orders', order(), { key: 'k' })).status).toBe(201);
  });

  it('refuses a supplier report whose supplierId differs from the path', async () => {
    const response = await send('/suppliers/SUP-1/sold-quantities', soldQuantity('SUP-2'), { key: 'k' });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { field: 'supplierId' } });
    const matching = await send('/suppliers/SUP-2/sold-quantities', soldQuantity('SUP-2'), { key: 'k' });
    expect(matching.status).toBe(201);
    expect(sim().received('supplier-sold-quantities')).toHaveLength(1);
  });

  it('refuses malformed JSON with 400 and bodies over 1 MiB with 413', async () => {
    expect((await send('/sold-quantities', '{"sku":', { key: 'k' })).status).toBe(400);
    const huge = { ...soldQuantity(), padding: 'x'.repeat(1024 * 1024) };
    const tooLarge = await send('/sold-quantities', huge, { key: 'k2' });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(sim().stats().invalid).toBe(2);
  });
});

describe('GET /inventory', () => {
  const get = (token: string | null = testToken) =>
    fetch(`${sim().url}/inventory`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('serves exactly the bytes of the snapshot that was set, every time', async () => {
    const snapshot = {
      asOf: '2026-11-23T02:00:00.000Z',
      items: Array.from({ length: 100_000 }, (_, i) => ({
        sku: `SKU-${i}`,
        locationId: `STORE-${i % 40}`,
        qty: i % 17,
        ...(i % 1000 === 0 ? { discontinued: true } : {}),
      })),
    };
    sim().setInventory(snapshot);
    const first = Buffer.from(await (await get()).arrayBuffer());
    const second = Buffer.from(await (await get()).arrayBuffer());
    expect(first.equals(Buffer.from(JSON.stringify(snapshot)))).toBe(true);
    expect(second.equals(first)).toBe(true);
    expect(sim().stats().requests.inventory).toBe(2);
  });

  it('serves a raw payload unvalidated, for an ERP that sends bad records', async () => {
    const raw = '{"items":[{"sku":"A","qty":-1}],"extra":true}';
    sim().setInventoryPayload(raw);
    expect(await (await get()).text()).toBe(raw);
  });

  it('requires the token', async () => {
    expect((await get(null)).status).toBe(401);
  });
});

describe('POST /hooks/slack', () => {
  const hook = (body: unknown) =>
    fetch(`${sim().url}/hooks/slack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers like Slack, without a token, and records the alert', async () => {
    const response = await hook({ text: 'reconciliation corrected 3 skus', channel: '#inventory' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    const refused = await hook({ blocks: [] });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe('invalid_payload');
    expect(sim().alerts()).toEqual([
      {
        text: 'reconciliation corrected 3 skus',
        body: { text: 'reconciliation corrected 3 skus', channel: '#inventory' },
        at: expect.any(String),
      },
    ]);
    expect(sim().stats().alerts).toBe(1);
  });
});

describe('reset', () => {
  it('forgets records, alerts, stats and rules, but keeps the inventory', async () => {
    sim().setInventory({ asOf: '2026-11-23T02:00:00.000Z', items: [{ sku: 'A', locationId: 'L', qty: 1 }] });
    await send('/purchase-orders', order(), { key: 'k' });
    sim().setRules([{ route: 'sold-quantities', action: 'status', status: 500 }]);
    sim().reset();
    expect(sim().received('purchase-orders')).toEqual([]);
    expect(sim().stats().requests['purchase-orders']).toBe(0);
    expect((await send('/sold-quantities', soldQuantity(), { key: 'k' })).status).toBe(201);
    // The same key is new again after a reset.
    expect((await send('/purchase-orders', order(), { key: 'k' })).status).toBe(201);
    const inventory = await fetch(`${sim().url}/inventory`, {
      headers: { authorization: `Bearer ${testToken}` },
    });
    expect(await inventory.json()).toMatchObject({ items: [{ sku: 'A' }] });
  });
});
