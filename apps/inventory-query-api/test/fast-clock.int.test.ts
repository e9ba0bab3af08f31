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
    const post = (token: string, type: string, quantity: number, occurredAt: number) =>
      platform.post(token, [
        {
          eventId: `${sku}-${type}`,
          type,
          sku,
          locationId: 'STORE-001',
          quantity,
          occurredAt: new Date(occurredAt).toISOString(),
        },
      ]);
    const count = await post(tokens.store1, 'COUNT', 40, Date.now() + 4 * 60_000);
    expect(count.statusCode, count.body).toBe(202);
    // Stamped after the count's answer, by a correct clock: after the count was accepted.
    const sale = await post(tokens.central, 'SALE', 3, Date.now());
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
