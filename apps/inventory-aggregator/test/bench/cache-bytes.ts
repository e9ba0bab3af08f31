// Heap bytes a state of the partition's state cache costs, for skus at N locations (a state
// with one journal entry, as a live location x sku has); one size a process, so nothing of
// another measurement is collected during this one:
//   for n in 1 4 100 500; do node --expose-gc --import tsx bench/cache-bytes.ts $n; done
// (in apps/inventory-aggregator/test)
import { StateCache } from '../../src/partition/state-cache.ts';
import { noChanges } from '../../src/steps/changes.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
{
  const perSku = Number(process.argv[2] ?? 4);
  // At least 200 000 states, so the heap's own noise is small beside them.
  const skus = Math.max(2_000, 200_000 / perSku);
  gc();
  const before = process.memoryUsage().heapUsed;
  const cache = new StateCache(Number.MAX_SAFE_INTEGER);
  const now = Date.now();
  for (let s = 0; s < skus; s++) {
    const changes = noChanges();
    const locations = new Map(
      Array.from({ length: perSku }, (_, l) => [
        `S-${l}`,
        {
          onHand: l,
          reserved: 0,
          updatedAt: now + l,
          lastCountAt: now - 5_000,
          version: 3,
          inputOffset: s * 1_000 + l,
          journal: [[now + s, 3]] as [number, number][],
        },
      ]),
    );
    const total = { sku: `SKU-${s}`, onHand: perSku, reserved: 0, available: perSku } as never;
    changes.skus.set(`SKU-${s}`, { locations, total, journals: new Map() });
    cache.commit(changes);
  }
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / cache.states;
  console.log(`${perSku} locations a sku: ${Math.round(bytes)} bytes a state (${cache.states} states)`);
}
