// Reconciliation of a full ERP snapshot against the platform, on the running local stack:
//   npm run bench -w @inventory/stock-reconciliation-test -- [skus=50000] [locations=4] [differing=0.02]
// Seeds the platform (a real aggregator process folds one COUNT per sku x location), serves
// the ERP snapshot from the simulator with a share of the items different, runs the job and
// prints each phase, then how long the aggregator took to apply the corrections.
import type { InventoryEvent } from '@inventory/codec';
import { startErpSimulator } from '@inventory/erp-simulator';
import {
  atProductionSizes,
  createWorld,
  forgetBenchWorld,
  produceEvents,
  readModel,
  regions,
  startAggregator,
  waitDrained,
} from '@inventory/inventory-aggregator-test';
import { runReconciliation } from '@inventory/stock-reconciliation';
import { numberArgs, testRedis } from '@inventory/testkit';
import { connectTestReconciliation, erpToken, movement, reconciliationEnv } from '../support.ts';

const [skus, locationCount, differing] = numberArgs([50_000, 4, 0.02]);
const locations = Object.keys(regions).slice(0, locationCount);

const world = await createWorld(12);
const aggregator = startAggregator(atProductionSizes(world));
await aggregator.ready();
const redis = testRedis();
const erp = await startErpSimulator({ token: erpToken });
try {
  const t0 = Date.now() - 3_600_000;
  const items = [];
  const seeded = Date.now();
  const seedEvents: InventoryEvent[] = [];
  for (let s = 0; s < skus; s++) {
    for (const locationId of locations) {
      const qty = (s * 7 + locationId.length) % 50;
      seedEvents.push(movement('COUNT', `BENCH-${s}`, locationId, qty, t0));
      items.push({
        sku: `BENCH-${s}`,
        locationId,
        qty: ((s * 31) % 1000) / 1000 < differing ? qty + 1 : qty,
      });
    }
  }
  await produceEvents(world, seedEvents, 5_000);
  await waitDrained(redis, world, 900_000);
  console.log(
    `seeded ${seedEvents.length} items (${skus} skus x ${locations.length} locations) in ${((Date.now() - seeded) / 1000).toFixed(1)} s`,
  );
  erp.setInventory({ asOf: new Date().toISOString(), items });
  const clients = await connectTestReconciliation(
    reconciliationEnv(world, erp, { RECON_LOG_LEVEL: 'error' }),
  );
  const started = Date.now();
  const outcome = await runReconciliation(clients.deps, 'manual');
  const ran = Date.now() - started;
  const expected = items.filter((item, i) => item.qty !== seedEvents[i]?.quantity).length;
  console.log(JSON.stringify({ ...outcome, durationMs: ran }, null, 2));
  if (outcome.status !== 'completed' || outcome.itemsChanged !== expected)
    throw new Error(`expected ${expected} corrections, got ${outcome.itemsChanged} (${outcome.status})`);
  await waitDrained(redis, world, 900_000);
  const applied = Date.now() - started;
  const { onHand } = await readModel(redis, world);
  const wrong = items.filter((item) => onHand.get(`${item.sku}|${item.locationId}`) !== item.qty).length;
  await clients.close();
  console.log(
    `\n${items.length} items (${skus} skus): job ${(ran / 1000).toFixed(1)} s, corrections applied by the aggregator ${(applied / 1000).toFixed(1)} s after the start; ${outcome.itemsChanged} corrected, ${wrong} not equal to the ERP afterwards`,
  );
  if (wrong > 0) throw new Error(`${wrong} items differ from the ERP after the run`);
} finally {
  aggregator.child.kill('SIGTERM');
  await aggregator.exited;
  await erp.close();
  await forgetBenchWorld(world, [redis]);
  redis.disconnect();
}
