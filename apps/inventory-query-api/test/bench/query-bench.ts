// Read throughput of the query API on a realistic read model, and of a bare fastify route on
// the same box in the same run, for the ratio:
//   npm run bench -w @inventory/inventory-query-api -- [skus] [locations] [seconds] [connections]
// Defaults: 100 000 skus x 50 locations (5 000 000 COUNT events folded by the real aggregator),
// 20 s per scenario, 32 connections. The local stack must be up (`npm run stack -- up`).
// BENCH_REDIS=single (default), cluster or both: the read model in the stack's single Redis,
// its Redis Cluster (INVENTORY_STACK_REDIS_CLUSTER=true), or both in one run, the same input
// folded into each by its own aggregator: fold rate, bytes per state and reads of each.
// BENCH_ONLY=<text> runs only the scenarios whose names contain it, beside the bare route.
// BENCH_QUERY_ENV="QUERY_X=1 QUERY_Y=2": the API's settings to compare.
// BENCH_RATE=<requests/s>: each case offered at that rate instead of as fast as answered.
// INVENTORY_APP_BUILD=dist runs the API's bundle (`npm run build`) as the images do.
// BENCH_FILL=direct writes the read model through the aggregator's own atomic step
// (RedisStore.apply, as a fold writes it, without eventIds) instead of folding one COUNT per
// state, so that tens of millions of states are built in minutes; the fold rates are then
// measured on BENCH_FOLD_EVENTS (1 000 000) COUNT events of other skus, folded into each.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCodec, type InventoryEvent, type Location } from '@inventory/codec';
import { hashToken, waitFor } from '@inventory/core';
import { defaultDedupPolicy, platformEvent } from '@inventory/domain';
import { RedisStore, type SkuWrite, skuWrite } from '@inventory/inventory-aggregator';
import {
  atProductionSizes,
  createWorld,
  forgetBenchWorld,
  regions,
  startAggregator,
  waitDrained,
} from '@inventory/inventory-aggregator-test';
import { createProducer } from '@inventory/kafka';
import { partitionOf, type StoredLocation, skuAvailability } from '@inventory/read-model';
import { redisOf } from '@inventory/service';
import {
  appEntry,
  cpuSecondsOf,
  numberArgs,
  settingsArg,
  stackEndpoints,
  stackKafkaEnv,
  testKafka,
  testRedisUrl,
  usedMemory,
} from '@inventory/testkit';
import autocannon from 'autocannon';
import type { Cluster, Redis } from 'ioredis';

const [skus, locationCount, seconds, connections] = numberArgs([100_000, 50, 20, 32]);
const partitions = 12;
const appDir = fileURLToPath(new URL('../..', import.meta.url));
const key = 'bench-key';
const mode = process.env.BENCH_REDIS ?? 'single';
const fill = process.env.BENCH_FILL ?? 'fold';
if (!['fold', 'direct'].includes(fill)) throw new Error(`BENCH_FILL is fold or direct, not ${fill}`);
const foldEvents = Number(process.env.BENCH_FOLD_EVENTS ?? 1_000_000);
if (!['single', 'cluster', 'both'].includes(mode))
  throw new Error(`BENCH_REDIS is single, cluster or both, not ${mode}`);
const targets = (mode === 'both' ? ['single', 'cluster'] : [mode]) as ('single' | 'cluster')[];
/** used_memory summed over the primaries (a cluster's replicas hold the same again). */
const world = await createWorld(partitions);
const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
const kafka = testKafka();
const producer = createProducer(kafka);
await producer.connect();

// Master data: the world's four locations and more, spread over four regions.
const regionNames = ['north', 'west', 'south', 'east'];
const extra: Location[] = [];
for (let i = Object.keys(regions).length; i < locationCount; i++) {
  const region = regionNames[i % regionNames.length] as string;
  extra.push({
    locationId: `L-${i}`,
    kind: i % 10 === 0 ? 'WAREHOUSE' : 'STORE',
    name: `L-${i}`,
    region,
    dataCentre: `dc-${region}`,
    active: true,
  });
}
await producer.send({
  topic: world.locations,
  messages: (await codec.encodeAll(`${world.locations}-value`, 'Location', extra)).map((value, i) => ({
    key: extra[i]?.locationId as string,
    value,
  })),
});
const locationIds = [...Object.keys(regions), ...extra.map((l) => l.locationId)];
const regionById = new Map<string, string>([
  ...Object.entries(regions),
  ...extra.map((l): [string, string] => [l.locationId, l.region]),
]);

// One COUNT per sku and location: every sku is held everywhere, as in a full-line network.
const total = skus * locationIds.length;
const skuName = (k: number) => `SKU-${String(k).padStart(6, '0')}`;
const t0 = Date.now() - 3_600_000;
const started = Date.now();

/** `count` COUNT events, the i-th for sku `skuOf(i)` at location i mod the locations. */
async function produceCounts(count: number, skuOf: (i: number) => string): Promise<void> {
  const chunk = 10_000;
  for (let from = 0; from < count; from += chunk * 4) {
    await Promise.all(
      [0, 1, 2, 3].map(async (k) => {
        const events: InventoryEvent[] = [];
        for (let i = from + k * chunk; i < Math.min(count, from + (k + 1) * chunk); i++) {
          events.push(
            platformEvent('LOADGEN', `qb-${i}`, {
              type: 'COUNT',
              sku: skuOf(i),
              locationId: locationIds[i % locationIds.length] as string,
              quantity: i % 37,
              occurredAt: t0 + i,
            }),
          );
        }
        if (events.length === 0) return;
        const values = await codec.encodeAll(`${world.input}-value`, 'InventoryEvent', events);
        await producer.send({
          topic: world.input,
          acks: -1,
          messages: values.map((value, i) => ({ key: events[i]?.sku as string, value })),
        });
      }),
    );
  }
}

/**
 * The read model of `skus` x the locations written straight through the aggregator's atomic
 * step, a partition's skus 500 at a time: what a fold of one COUNT per state leaves, less
 * the eventIds. The partition offsets it moves are removed again, so the fold that follows
 * starts from nothing and leaves these skus alone.
 */
async function fillDirect(redis: Redis | Cluster): Promise<void> {
  const store = new RedisStore(
    redis,
    world.prefix,
    partitions,
    { policy: defaultDedupPolicy, shards: 64 },
    86_400_000,
  );
  const byPartition = new Map<number, string[]>();
  for (let k = 0; k < skus; k++) {
    const sku = skuName(k);
    const partition = partitionOf(sku, partitions);
    const owned = byPartition.get(partition) ?? [];
    owned.push(sku);
    byPartition.set(partition, owned);
  }
  const regionOf = (locationId: string) => regionById.get(locationId) ?? 'unknown';
  await Promise.all(
    [...byPartition].map(async ([partition, owned]) => {
      let offset = 0;
      await redis.set(store.keys.offset(partition), String(offset));
      for (let from = 0; from < owned.length; from += 500) {
        const writes = new Map<string, SkuWrite>();
        for (const sku of owned.slice(from, from + 500)) {
          const k = Number(sku.slice(4));
          const locations = new Map<string, StoredLocation>();
          locationIds.forEach((locationId, l) => {
            const i = k * locationIds.length + l;
            locations.set(locationId, {
              onHand: i % 37,
              reserved: 0,
              updatedAt: t0 + i,
              lastCountAt: t0 + i,
              version: 1,
              inputOffset: i,
            });
          });
          writes.set(sku, skuWrite(locations, skuAvailability(sku, locations, regionOf), []));
        }
        const ok = await store.apply(
          {
            partition,
            expected: { events: offset, commands: undefined },
            next: { events: offset + 1 },
            skus: writes,
            assortment: new Map(),
            applied: [],
            reservations: [],
            outboxEntry: '',
            now: Date.now(),
          },
          () => 64,
        );
        if (!ok) throw new Error(`the direct write of partition ${partition} was refused`);
        offset++;
      }
      await redis.del(store.keys.offset(partition));
    }),
  );
}

if (fill === 'fold') {
  console.log(`producing ${total} COUNT events (${skus} skus x ${locationIds.length} locations) ...`);
  await produceCounts(total, (i) => skuName(Math.floor(i / locationIds.length)));
} else {
  console.log(`producing ${foldEvents} COUNT events of other skus, to measure the fold rate ...`);
  await produceCounts(
    foldEvents,
    (i) => `FOLD-${String(Math.floor(i / locationIds.length)).padStart(6, '0')}`,
  );
}
await producer.disconnect();
console.log(`  produced in ${((Date.now() - started) / 1000).toFixed(1)} s`);
const folds: {
  target: string;
  statesWritten: number;
  fillSeconds: number;
  bytesPerState: number;
  foldSeconds: number;
  foldEventsPerSecond: number;
}[] = [];
for (const target of targets) {
  const redis = redisOf(testRedisUrl(target));
  const before = await usedMemory(redis);
  let fillSeconds = 0;
  if (fill === 'direct') {
    const filling = Date.now();
    await fillDirect(redis);
    fillSeconds = (Date.now() - filling) / 1000;
    console.log(`  ${total} states written into ${target} in ${fillSeconds.toFixed(1)} s`);
  }
  const filled = await usedMemory(redis);
  const foldStarted = Date.now();
  const aggregator = startAggregator(
    atProductionSizes({
      ...world,
      env: { ...world.env, AGG_REDIS_URL: testRedisUrl(target), AGG_GROUP_ID: `${world.groupId}-${target}` },
    }),
  );
  await waitDrained(redis, world, 3_600_000);
  const foldSeconds = (Date.now() - foldStarted) / 1000;
  aggregator.child.kill('SIGTERM');
  await aggregator.exited;
  const folded = fill === 'fold' ? total : foldEvents;
  const bytesPerState =
    fill === 'fold' ? ((await usedMemory(redis)) - before) / total : (filled - before) / total;
  redis.disconnect();
  folds.push({
    target,
    statesWritten: total,
    fillSeconds: Number(fillSeconds.toFixed(1)),
    bytesPerState: Number(bytesPerState.toFixed(1)),
    foldSeconds: Number(foldSeconds.toFixed(1)),
    foldEventsPerSecond: Math.round(folded / foldSeconds),
  });
  console.log(JSON.stringify(folds.at(-1)));
}

function serve(entry: string[], env: NodeJS.ProcessEnv, port: number): ChildProcess {
  // BENCH_PROFILE=<dir> writes a CPU profile of each server to that folder.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const child = spawn(process.execPath, [...profile, ...entry], {
    cwd: appDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return Object.assign(child, { port });
}
const ready = (port: number, path: string) =>
  waitFor(async () => (await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined))?.ok, {
    description: `a server on port ${port}`,
    timeoutMs: 60_000,
    intervalMs: 200,
  });

const keysFile = join(mkdtempSync(join(tmpdir(), 'query-bench-')), 'keys.json');
writeFileSync(
  keysFile,
  JSON.stringify({ keys: [{ keyId: 'bench', keySha256: hashToken(key), scopes: ['availability:read'] }] }),
);
const apiPorts = new Map(targets.map((target, i) => [target, 19_195 + 2 * i]));
const apis = targets.map((target) =>
  serve(
    // The API as the images run it with INVENTORY_APP_BUILD=dist (after `npm run build`).
    appEntry(appDir),
    {
      ...stackKafkaEnv('QUERY'),
      QUERY_REDIS_URL: testRedisUrl(target),
      QUERY_API_KEYS_FILE: keysFile,
      QUERY_HTTP_PORT: String(apiPorts.get(target)),
      QUERY_REDIS_PREFIX: world.prefix,
      QUERY_INPUT_TOPIC: world.input,
      QUERY_AVAILABILITY_TOPIC: world.availability,
      QUERY_LOCATIONS_TOPIC: world.locations,
      QUERY_COMMANDS_TOPIC: world.commands,
      QUERY_OUTCOMES_TOPIC: world.outcomes,
      // The benchmark measures the service, not its rate limit.
      QUERY_RATE_PER_SECOND: '1000000000',
      QUERY_RATE_BURST: '1000000000',
      QUERY_LOG_LEVEL: 'warn',
      ...settingsArg(process.env.BENCH_QUERY_ENV),
    },
    apiPorts.get(target) as number,
  ),
);
let sampleBody = '';
for (const port of apiPorts.values()) {
  await ready(port, '/readyz');
  const sample = await fetch(`http://127.0.0.1:${port}/v1/availability/SKU-000001`, {
    headers: { authorization: `Bearer ${key}` },
  });
  sampleBody = await sample.text();
  if (!sample.ok) throw new Error(`sample read failed: ${sample.status} ${sampleBody}`);
}
const barePort = 19_196 + 2 * targets.length;
// The bare route answers a body of the same size as a single-sku answer, from memory.
const bare = serve(
  ['--import', 'tsx', 'test/bench/bare-server.ts'],
  { BARE_PORT: String(barePort), BARE_BODY: sampleBody },
  barePort,
);
await ready(barePort, '/bare');

let seed = 42;
const randomSku = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return `SKU-${String(seed % skus).padStart(6, '0')}`;
};
const auth = { authorization: `Bearer ${key}` };
interface Scenario {
  name: string;
  port: number;
  /** The process answering it, whose CPU is measured. */
  server: ChildProcess;
  request: () => { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };
}
const batch = (includeLocations: boolean) => () => ({
  method: 'POST' as const,
  path: '/v1/availability/batch',
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify({ skus: Array.from({ length: 100 }, randomSku), includeLocations }),
});
const scenarios: Scenario[] = [
  {
    name: 'bare fastify route',
    port: barePort,
    server: bare,
    request: () => ({ method: 'GET', path: '/bare', headers: {} }),
  },
  ...targets.flatMap((target, i): Scenario[] => {
    const port = apiPorts.get(target) as number;
    const server = apis[i] as ChildProcess;
    const on = targets.length > 1 ? ` [${target}]` : '';
    return [
      {
        name: `GET one sku (${locationIds.length} locations)${on}`,
        port,
        server,
        request: () => ({ method: 'GET', path: `/v1/availability/${randomSku()}`, headers: auth }),
      },
      {
        name: `GET one sku at one location${on}`,
        port,
        server,
        request: () => ({
          method: 'GET',
          path: `/v1/locations/S-1/availability/${randomSku()}`,
          headers: auth,
        }),
      },
      { name: `POST batch of 100 skus, totals only${on}`, port, server, request: batch(false) },
      { name: `POST batch of 100 skus with locations${on}`, port, server, request: batch(true) },
    ];
  }),
];
// BENCH_ONLY=<text>: only the scenarios whose names contain it (and the bare route), e.g. to
// profile one route.
const only = process.env.BENCH_ONLY;
// BENCH_RATE=<requests/s>: offered at that rate over all connections (latency below
// saturation) instead of as fast as answered.
const offeredRate = process.env.BENCH_RATE === undefined ? undefined : Number(process.env.BENCH_RATE);
if (offeredRate !== undefined && !(offeredRate > 0))
  throw new Error(`BENCH_RATE: '${process.env.BENCH_RATE}' is not a rate`);
const results = [];
for (const scenario of scenarios.filter((s) => !only || s.port === barePort || s.name.includes(only))) {
  const cpuBefore = cpuSecondsOf(scenario.server.pid as number);
  const result = await autocannon({
    url: `http://127.0.0.1:${scenario.port}`,
    connections,
    duration: seconds,
    ...(offeredRate === undefined ? {} : { overallRate: offeredRate }),
    requests: [{ setupRequest: (request) => ({ ...request, ...scenario.request() }) }],
  });
  const row = {
    scenario: scenario.name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    meanBodyBytes: Math.round(result.throughput.total / Math.max(1, result.requests.total)),
    // The server's own CPU (its process, from /proc) per answered request.
    serverCpuUsPerRequest: Number(
      (
        ((cpuSecondsOf(scenario.server.pid as number) - cpuBefore) * 1e6) /
        Math.max(1, result.requests.total)
      ).toFixed(1),
    ),
  };
  results.push(row);
  console.log(JSON.stringify(row));
}
for (const api of apis) api.kill('SIGTERM');
bare.kill('SIGTERM');
const redises = targets.map((target) => redisOf(testRedisUrl(target)));
await forgetBenchWorld(world, redises);
for (const redis of redises) redis.disconnect();
console.log(
  `\nread model | states | ${fill === 'direct' ? 'direct write s | ' : ''}bytes per state | fold s | fold events/s`,
);
for (const f of folds)
  console.log(
    `${f.target} | ${f.statesWritten} | ${fill === 'direct' ? `${f.fillSeconds} | ` : ''}${f.bytesPerState} | ${f.foldSeconds} | ${f.foldEventsPerSecond}`,
  );
const bareRate = results[0]?.requestsPerSecond ?? 1;
console.log('\nscenario | req/s | p50 ms | p99 ms | server CPU us/request | vs bare route');
for (const r of results) {
  console.log(
    `${r.scenario} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.serverCpuUsPerRequest} | ${(r.requestsPerSecond / bareRate).toFixed(2)}`,
  );
}
process.exit(0);
