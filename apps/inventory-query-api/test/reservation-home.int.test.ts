import { KeyLayout } from '@inventory/read-model';
import { redisOf } from '@inventory/service';
import { testRedisUrl, testRedisUrlAs, uniqueName } from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReservationHomeCommands, reservationHomeCommands } from '../src/reservations/home.lua.ts';

/**
 * The note of where a reservation without a location is asked (home.lua.ts), run by the
 * query API's own Redis user: made once, moved only from the data centre the caller saw
 * refuse, followed by a caller that saw an older one.
 */
describe('reservation-home: the compare-and-set of where a reservation is asked', () => {
  const prefix = uniqueName('rh');
  let redis: ReturnType<typeof redisOf>;
  let step: ReservationHomeCommands['inventoryReservationHomeStep'];
  const key = new KeyLayout(prefix, 12).reservationHome('r-1');

  beforeAll(async () => {
    redis = redisOf(await testRedisUrlAs('inventory-query-api', prefix));
    const commands = reservationHomeCommands(redis);
    step = (...args) => commands.inventoryReservationHomeStep(...args);
  });
  afterAll(() => redis.disconnect());

  it('is made where there is none, then followed; moved only from the one that refused, once', async () => {
    expect(await step(key, '', 'dc2', 60_000)).toBe('dc2');
    // A second request for the id, at the same moment: it follows the note.
    expect(await step(key, '', 'dc2', 60_000)).toBe('dc2');
    expect(await step(key, '', 'dc1', 60_000)).toBe('dc2');
    // dc2 refused: two requests that saw it want different next ones; the first moves it.
    const [first, second] = await Promise.all([
      step(key, 'dc2', 'dc3', 60_000),
      step(key, 'dc2', 'dc1', 60_000),
    ]);
    expect([first, second]).toEqual(['dc3', 'dc3']);
    // A caller that saw an older refusal cannot move it back.
    expect(await step(key, 'dc2', 'dc1', 60_000)).toBe('dc3');
    expect(await redis.get(key)).toBe('dc3');
    // Kept as long as reservations are (its user may not ask; the administrator may).
    const admin = redisOf(testRedisUrl());
    try {
      const ttl = await admin.pttl(key);
      expect(ttl > 0 && ttl <= 60_000).toBe(true);
    } finally {
      admin.disconnect();
    }
  });
});
