// Freshness of the network view over three data centres: from an event acknowledged in its
// home data centre (where the ingest would answer 202) to its effect in each data centre's
// query API, local and through MirrorMaker 2, under a steady load in every data centre:
//   npm run bench:network -w @inventory/inventory-query-api-test -- [probes] [rate]
// probes: events measured, home in dc1, dc2 and dc3 in turn (default 150); rate: background
// events per second into each data centre (default 300). Needs the stack with three data
// centres (`npm run stack -- up --dcs 3`). Prints p50/p99/max per home -> reader and the CPU
// of the three aggregators per event.
import type { InventoryEvent } from '@inventory/codec';
import { delay } from '@inventory/core';
import { cpuSecondsOf, numberArgs, quantile } from '@inventory/testkit';
import { type DataCentre, dataCentres, eventsOf, homed, produceEvents, startNetwork } from '../network.ts';

const [probes, rate] = numberArgs([150, 300]);

const network = await startNetwork();
const { sites } = network;
let stopLoad = false;
let background = 0;
const load = (async () => {
  // Every 100 ms a tenth of the rate into each data centre.
  for (let round = 0; !stopLoad; round++) {
    const started = Date.now();
    const tasks = dataCentres.map(
      (dc, i) => () =>
        produceEvents(
          dc,
          eventsOf(dc, Math.max(1, Math.round(rate / 10)), 1_000 + 3 * round + i).map((e) => ({
            ...e,
            eventId: `${e.eventId}-load-${round}`,
          })),
        ),
    );
    // The first round one data centre after the other: it registers the schema, and the
    // registry refuses two registrations of a subject at once.
    if (round === 0) for (const task of tasks) await task();
    else await Promise.all(tasks.map((task) => task()));
    background += 3 * Math.max(1, Math.round(rate / 10));
    await delay(Math.max(0, 100 - (Date.now() - started)));
  }
})();

const loadedBefore = background;
const cpuBefore = sites.map((s) => cpuSecondsOf(s.aggregator.child.pid as number));
const started = Date.now();
const delays = new Map<string, number[]>();
for (let i = 0; i < probes; i++) {
  const home = dataCentres[i % 3] as DataCentre;
  const sku = `PROBE-${i}`;
  const event: InventoryEvent = {
    eventId: `loadgen:probe-${Date.now().toString(36)}-${i}`,
    type: 'RECEIPT',
    sku,
    locationId: homed(home, 'S-1'),
    quantity: 1,
    occurredAt: Date.now(),
    recordedAt: Date.now(),
    source: 'LOADGEN',
    sourceRef: null,
    clientId: null,
    clientEventId: null,
  };
  await produceEvents(home, [event]);
  const acked = Date.now();
  const pending = new Set(sites);
  while (pending.size > 0) {
    for (const site of [...pending]) {
      const { status, body } = await site.query.get(`/v1/availability/${sku}`);
      if (status === 200 && body.onHand === 1) {
        const pair = `${home} -> ${site.dc}`;
        delays.set(pair, [...(delays.get(pair) ?? []), Date.now() - acked]);
        pending.delete(site);
      }
    }
    if (Date.now() - acked > 60_000) throw new Error(`probe ${sku} not visible everywhere within 60 s`);
    await delay(5);
  }
}
const seconds = (Date.now() - started) / 1000;
const cpu = sites.map((s, i) => cpuSecondsOf(s.aggregator.child.pid as number) - (cpuBefore[i] as number));
const loaded = background - loadedBefore;
stopLoad = true;
await load;
await network.close();

console.log(
  `network view freshness: ${probes} probes over ${seconds.toFixed(0)} s; background offered ${rate} events/s into each data centre, sent ${(loaded / 3 / seconds).toFixed(0)}/s into each (${loaded} events)`,
);
console.log('home -> reader   local?  probes   p50 ms   p99 ms   max ms');
for (const home of dataCentres)
  for (const reader of dataCentres) {
    const sorted = (delays.get(`${home} -> ${reader}`) ?? []).sort((a, b) => a - b);
    console.log(
      `${home} -> ${reader}     ${home === reader ? 'local ' : 'mirror'}  ${String(sorted.length).padStart(6)}  ${String(quantile(sorted, 0.5)).padStart(7)}  ${String(quantile(sorted, 0.99)).padStart(7)}  ${String(sorted.at(-1)).padStart(7)}`,
    );
  }
const events = loaded + probes;
console.log(
  `aggregators' CPU: ${cpu.map((c, i) => `${dataCentres[i]} ${c.toFixed(1)} s (${((100 * c) / seconds).toFixed(0)} % of a core)`).join(', ')}; ${((cpu.reduce((a, b) => a + b, 0) / events) * 1e6).toFixed(0)} us per event sent (each folds its own and keeps the copies of the others' states)`,
);
process.exit(0);
