import type { InventoryEvent } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import {
  createWorld,
  produceEvents,
  type RunningAggregator,
  startAggregator,
  type World,
  waitDrained,
} from '@inventory/inventory-aggregator-test';
import type { StoredReservation } from '@inventory/read-model';
import { KeyLayout, partitionOf } from '@inventory/read-model';
import { testRedis } from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestQueryApi, type TestQueryApi } from './support.ts';

const skus = ['SKU-K1', 'SKU-K2', 'SKU-K3'];
const perSku = 100;
const stockPerSku = 60;

describe('reservations while the aggregator is killed', () => {
  const redis = testRedis();
  let world: World;
  let reservationApi: TestQueryApi;
  let aggregator: RunningAggregator;

  beforeAll(async () => {
    world = await createWorld(6);
    const t0 = Date.now() - 60_000;
    await produceEvents(
      world,
      skus.map(
        (sku, i): InventoryEvent => ({
          eventId: `loadgen:${world.prefix}-${sku}`,
          type: 'COUNT',
          sku,
          locationId: 'W-1',
          quantity: stockPerSku,
          occurredAt: t0 + i,
          recordedAt: t0 + i,
          source: 'LOADGEN',
          sourceRef: null,
          clientId: null,
          clientEventId: null,
        }),
      ),
    );
    aggregator = startAggregator(world);
    await waitDrained(redis, world);
    // Short waits for a decision: requests time out while the aggregator is down and retry.
    reservationApi = await buildTestQueryApi(world, { QUERY_RESERVATION_TIMEOUT_MS: '2000' });
  });
  afterAll(async () => {
    await reservationApi?.close();
    aggregator?.child.kill('SIGKILL');
    await redis.quit();
  });

  it('kill -9 while reservations flow, then restart: none lost, none applied twice', async () => {
    const requests = skus.flatMap((sku) =>
      Array.from({ length: perSku }, (_, i) => ({ reservationId: `kill-${sku}-${i}`, sku })),
    );
    const answers = new Map<string, number>();
    let timeouts = 0;
    // A web shop's client: retries with the same reservationId until it gets a decision.
    const reserve = async (request: { reservationId: string; sku: string }) => {
      for (;;) {
        const response = await reservationApi.call('POST', '/v1/reservations', {
          ...request,
          quantity: 1,
          locationId: 'W-1',
        });
        if (response.statusCode !== 504) {
          answers.set(request.reservationId, response.statusCode);
          return;
        }
        timeouts++;
      }
    };
    const queue = [...requests];
    const clients = Array.from({ length: 20 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await reserve(next);
    });

    // Three kills at different points of the stream, each followed by a restart.
    for (const decided of [30, 120, 210]) {
      await waitFor(() => answers.size >= decided, {
        description: () => `${decided} decisions (have ${answers.size})`,
        timeoutMs: 120_000,
        intervalMs: 20,
      });
      aggregator.child.kill('SIGKILL');
      await aggregator.exited;
      aggregator = startAggregator(world);
    }
    await Promise.all(clients);

    expect(answers.size).toBe(requests.length);
    const keys = new KeyLayout(world.prefix);
    for (const sku of skus) {
      const mine = requests.filter((r) => r.sku === sku).map((r) => r.reservationId);
      const confirmed = mine.filter((id) => answers.get(id) === 201);
      expect(confirmed, sku).toHaveLength(stockPerSku);
      expect(
        mine.filter((id) => answers.get(id) === 409),
        sku,
      ).toHaveLength(perSku - stockPerSku);
      // The stored reservations agree with the answers, one per id.
      const partition = partitionOf(sku, 6);
      const stored = (await redis.mget(...mine.map((id) => keys.reservation(partition, id)))).map(
        (v) => JSON.parse(v as string) as StoredReservation,
      );
      expect(
        stored
          .filter((r) => r.status === 'CONFIRMED')
          .map((r) => r.reservationId)
          .sort(),
      ).toEqual(confirmed.sort());
      const figures = (await reservationApi.call('GET', `/v1/availability/${sku}`)).json();
      expect(figures, sku).toMatchObject({ onHand: stockPerSku, reserved: stockPerSku, available: 0 });
    }
    // The kills did interrupt decisions: some requests needed a retry.
    expect(timeouts).toBeGreaterThan(0);
  });
});
