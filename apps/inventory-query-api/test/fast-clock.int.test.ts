import { waitFor } from '@inventory/core';
import { tokens } from '@inventory/store-ingest-test';
import { uniqueName } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import { usePlatform } from './support.ts';

/**
 * A till whose clock runs 4 minutes ahead counts a shelf; a sale with a correct clock follows
 * a moment later. Through the real ingest and aggregator, the count is placed at when it was
 * accepted (docs/ARCHITECTURE.md, "Clocks that run ahead"), so the later sale is not taken as
 * already inside it.
 */
describe('a COUNT from a clock that runs ahead', () => {
  const platform = usePlatform();

  it('does not hide a movement that came after it was accepted', async () => {
    const sku = uniqueName('FAST')
      .toUpperCase()
      .replace(/[^A-Z0-9-]/g, '-');
    const count = await platform.post(tokens.store1, [
      {
        eventId: `${sku}-count`,
        type: 'COUNT',
        sku,
        locationId: 'STORE-001',
        quantity: 40,
        occurredAt: new Date(Date.now() + 4 * 60_000).toISOString(),
      },
    ]);
    expect(count.statusCode, count.body).toBe(202);
    // Stamped after the count's answer, by a correct clock: after the count was accepted.
    const sale = await platform.post(tokens.central, [
      {
        eventId: `${sku}-sale`,
        type: 'SALE',
        sku,
        locationId: 'STORE-001',
        quantity: 3,
        occurredAt: new Date().toISOString(),
      },
    ]);
    expect(sale.statusCode, sale.body).toBe(202);
    const url = `/v1/locations/STORE-001/availability/${sku}`;
    await waitFor(
      async () => {
        const answer = await platform.query.call('GET', url);
        return answer.statusCode === 200 && answer.json().onHand !== 40;
      },
      { description: 'the sale to be folded after the count', timeoutMs: 60_000, intervalMs: 100 },
    );
    expect((await platform.query.call('GET', url)).json()).toMatchObject({ onHand: 37, available: 37 });
  });
});
