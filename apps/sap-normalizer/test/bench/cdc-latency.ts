// End-to-end delay of the SAP path: from a committed goods movement in the SAP tables to the
// new figure in the query API (Debezium -> raw topic -> normalizer -> aggregator -> Redis):
//   npm run bench -w @inventory/sap-normalizer-test -- [movements]
// One movement at a time (each waits for the previous to be visible); the query API is polled
// every 2 ms. The local stack must be up (`npm run stack -- up`).
import { numberArgs, testRedis } from '@inventory/testkit';
import { createSapWorld, plants } from '../support.ts';

const [count] = numberArgs([200]);
const redis = testRedis();
const sap = await createSapWorld();
const onHand = async () =>
  (await sap.api.call('GET', '/v1/locations/W-1/availability/MAT-LAT')).json().onHand as number | undefined;

// Warm-up: the first change waits for the connector's snapshot and every consumer's start.
await sap.post('MAT-LAT', plants.a, 1000);
while ((await onHand()) !== 1000) await new Promise((resolve) => setTimeout(resolve, 20));

const delays: number[] = [];
let expected = 1000;
for (let i = 0; i < count; i++) {
  const quantity = i % 2 === 0 ? 3 : -2;
  expected += quantity;
  await sap.post('MAT-LAT', plants.a, quantity);
  // The clock starts when the transaction has committed: post() returns after COMMIT.
  const committed = performance.now();
  const deadline = committed + 30_000;
  while ((await onHand()) !== expected) {
    if (performance.now() > deadline) throw new Error(`movement ${i} not visible within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  delays.push(performance.now() - committed);
}
delays.sort((a, b) => a - b);
const at = (q: number) =>
  Number((delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] as number).toFixed(1));
console.log(
  JSON.stringify({
    movements: count,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
    maxMs: at(1),
    minMs: at(0),
  }),
);
await sap.close();
await redis.quit();
process.exit(0);
