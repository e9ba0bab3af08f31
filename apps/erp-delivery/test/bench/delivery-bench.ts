// Deliveries per second into the ERP simulator, on the running local stack:
//   npm run bench -w @inventory/erp-delivery-test -- [orders=20000] [concurrency=16] [failEvery=0]
// failEvery=N answers 503 to every Nth first attempt, so that share goes through retry stage 1.
import { waitFor } from '@inventory/core';
import { startErpSimulator } from '@inventory/erp-simulator';
import { numberArgs } from '@inventory/testkit';
import {
  createDeliveryWorld,
  erpToken,
  publishOrders,
  startDelivery,
  testKafkaClient,
  testOrder,
} from '../support.ts';

const [orders, concurrency, failEvery] = numberArgs([20_000, 16, 0]);

const erp = await startErpSimulator({ token: erpToken });
const world = await createDeliveryWorld({ erpUrl: erp.url, delays: [1_000, 2_000, 4_000] });
const kafka = testKafkaClient();
const all = Array.from({ length: orders }, (_, i) => testOrder(`bench-${i}`, 1 + (i % 3)));
for (let i = 0; i < all.length; i += 2_000)
  await publishOrders(kafka, world.purchaseOrders, all.slice(i, i + 2_000));
if (failEvery > 0)
  erp.setRules([
    { route: 'purchase-orders', action: 'status', status: 503, times: Math.floor(orders / failEvery) },
  ]);
const started = Date.now();
const delivery = await startDelivery(world, {
  DELIVERY_CONCURRENCY: String(concurrency),
  DELIVERY_LOG_LEVEL: 'error',
});
try {
  await waitFor(() => erp.stats().accepted['purchase-orders'] === orders, {
    description: () => `${orders} orders delivered (have ${erp.stats().accepted['purchase-orders']})`,
    timeoutMs: 600_000,
    intervalMs: 50,
  });
  const seconds = (Date.now() - started) / 1000;
  const calls = (await delivery.metrics.call.get()).values.filter(
    (v) => v.metricName?.endsWith('_sum') || v.metricName?.endsWith('_count'),
  );
  const sum = calls.filter((v) => v.metricName?.endsWith('_sum')).reduce((s, v) => s + v.value, 0);
  const count = calls.filter((v) => v.metricName?.endsWith('_count')).reduce((s, v) => s + v.value, 0);
  console.log(
    `${orders} orders (concurrency ${concurrency}${failEvery ? `, 1 in ${failEvery} failed once` : ''}): ${(orders / seconds).toFixed(0)} orders/s, ` +
      `${seconds.toFixed(1)} s including start-up; mean HTTP call ${((sum / count) * 1000).toFixed(2)} ms over ${count} calls`,
  );
} finally {
  await delivery.stop();
  await erp.close();
}
