import { waitFor } from '@inventory/core';
import { platformEvent } from '@inventory/domain';
import {
  type RunningAggregator,
  readerOf,
  startAggregator,
  useWorld,
} from '@inventory/inventory-aggregator-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestQueryApi, expectAnswersHold, type TestQueryApi } from './support.ts';

const skus = ['SKU-K1', 'SKU-K2', 'SKU-K3'];
const perSku = 100;
const stockPerSku = 60;

describe('reservations while the aggregator is killed', () => {
  const t0 = Date.now() - 60_000;
  const folded = useWorld({
    events: (world) =>
      skus.map((sku, i) =>
        platformEvent('LOADGEN', `${world.prefix}-${sku}`, {
          type: 'COUNT',
          sku,
          locationId: 'W-1',
          quantity: stockPerSku,
          occurredAt: t0 + i,
        }),
      ),
  });
  let reservationApi: TestQueryApi;
  beforeAll(async () => {
    // Short waits for a decision: requests time out while the aggregator is down and retry.
    reservationApi = await buildTestQueryApi(folded.world, { QUERY_RESERVATION_TIMEOUT_MS: '2000' });
  });
  const restarted: RunningAggregator[] = [];
  afterAll(async () => {
    for (const a of restarted) a.child.kill('SIGKILL');
    await reservationApi?.close();
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
    let aggregator = folded.aggregator;
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
      aggregator = startAggregator(folded.world);
      restarted.push(aggregator);
    }
    await Promise.all(clients);

    expect(answers.size).toBe(requests.length);
    const reader = readerOf(folded.redis, folded.world);
    for (const sku of skus) {
      const ids = requests.filter((r) => r.sku === sku).map((r) => r.reservationId);
      await expectAnswersHold(reservationApi, reader, { sku, ids, answers, stock: stockPerSku });
    }
    // The kills did interrupt decisions: some requests needed a retry.
    expect(timeouts).toBeGreaterThan(0);
  });
});
