import { waitFor } from '@inventory/core';
import { waitDrained } from '@inventory/inventory-aggregator-test';
import { tokens } from '@inventory/store-ingest-test';
import { describe, expect, it } from 'vitest';
import { usePlatform } from './support.ts';

/**
 * Event identity end to end (store-ingest, the aggregator process, the query API): an event
 * is (source, client, the client's id), so clients numbering alike never collide and no
 * client can pre-empt an id the platform makes itself; a replay inside the dedup horizon
 * ends exact, one beyond it is refused naming the horizon.
 */
describe('event identity and the dedup horizon', () => {
  const platform = usePlatform();
  const post = platform.post;
  const availability = async (sku: string) =>
    (await platform.query.call('GET', `/v1/availability/${sku}`)).json();
  const receipt = (
    eventId: string,
    sku: string,
    locationId: string,
    quantity: number,
    occurredAt = Date.now() - 60_000,
  ) => ({
    eventId,
    type: 'RECEIPT',
    sku,
    locationId,
    quantity,
    occurredAt: new Date(occurredAt).toISOString(),
  });

  it('two stores posting the same eventId are two events: the network holds 7 + 5', async () => {
    const sku = `${platform.world.prefix}-SAME-ID`;
    expect((await post(tokens.store1, [receipt('till-1-receipt-42', sku, 'STORE-001', 7)])).statusCode).toBe(
      202,
    );
    expect((await post(tokens.store2, [receipt('till-1-receipt-42', sku, 'STORE-002', 5)])).statusCode).toBe(
      202,
    );
    // Each store retrying its own event changes nothing.
    expect((await post(tokens.store1, [receipt('till-1-receipt-42', sku, 'STORE-001', 7)])).statusCode).toBe(
      202,
    );
    expect((await post(tokens.store2, [receipt('till-1-receipt-42', sku, 'STORE-002', 5)])).statusCode).toBe(
      202,
    );
    await waitDrained(platform.redis, platform.world);
    const answer = await availability(sku);
    expect(answer).toMatchObject({ onHand: 12, reserved: 0, available: 12 });
    expect(
      answer.locations.map((l: { locationId: string; onHand: number }) => [l.locationId, l.onHand]),
    ).toEqual([
      ['STORE-001', 7],
      ['STORE-002', 5],
    ]);
  });

  it("a store's event named like a reservation sale cannot pre-empt the sale: the commit takes the 4 units", async () => {
    const sku = `${platform.world.prefix}-PREEMPT`;
    const reservationId = `${platform.world.prefix}-web-1`;
    // The store's receipt carries the eventId the commit's sale would have had before ids were namespaced.
    expect(
      (await post(tokens.store1, [receipt(`reservation-sale:${reservationId}`, sku, 'STORE-001', 10)]))
        .statusCode,
    ).toBe(202);
    await waitDrained(platform.redis, platform.world);
    const reserved = await platform.query.call('POST', '/v1/reservations', {
      reservationId,
      sku,
      quantity: 4,
      locationId: 'STORE-001',
    });
    expect(reserved.statusCode, reserved.body).toBe(201);
    expect(await availability(sku)).toMatchObject({ onHand: 10, reserved: 4, available: 6 });
    const committed = await platform.query.call('POST', `/v1/reservations/${reservationId}/commit`);
    expect(committed.statusCode, committed.body).toBe(200);
    await waitFor(async () => (await availability(sku)).onHand === 6, {
      description: 'the committed sale to be folded',
      timeoutMs: 30_000,
    });
    await waitDrained(platform.redis, platform.world);
    expect(await availability(sku)).toMatchObject({ onHand: 6, reserved: 0, available: 6 });
  });

  it('a three-day-old buffer replayed, part of it already counted: exact; an eight-day-old event: 422 naming the horizon', async () => {
    const sku = `${platform.world.prefix}-REPLAY`;
    const threeDaysAgo = Date.now() - 3 * 86_400_000;
    const buffer = Array.from({ length: 40 }, (_, i) =>
      receipt(`buffered-${i}`, sku, 'STORE-001', 1 + (i % 3), threeDaysAgo + i * 60_000),
    );
    // The first half reached the platform three days ago; the answer was lost.
    expect((await post(tokens.store1, buffer.slice(0, 20))).statusCode).toBe(202);
    await waitDrained(platform.redis, platform.world);
    // Back online, the store replays its whole buffer.
    expect((await post(tokens.store1, buffer)).statusCode).toBe(202);
    await waitDrained(platform.redis, platform.world);
    const total = buffer.reduce((sum, e) => sum + e.quantity, 0);
    expect(await availability(sku)).toMatchObject({ onHand: total });

    const old = await post(tokens.store1, [
      receipt('buffered-old', sku, 'STORE-001', 1),
      receipt('buffered-older', sku, 'STORE-001', 1, Date.now() - 8 * 86_400_000),
    ]);
    expect(old.statusCode).toBe(422);
    expect(old.json().error).toMatchObject({
      code: 'BEYOND_DEDUP_HORIZON',
      details: [
        {
          index: 1,
          path: 'occurredAt',
          message:
            'is older than the deduplication horizon of 7 days: a repeat of it could no longer be recognised, so it is not accepted (correct the stock with a COUNT)',
        },
      ],
    });
    expect(old.json().error.message).toContain('beyond the deduplication horizon');
    await waitDrained(platform.redis, platform.world);
    expect(await availability(sku)).toMatchObject({ onHand: total });
  });
});
