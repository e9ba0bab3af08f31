// Throughput and latency of store-ingest against the local stack (`npm run stack -- up` first):
//   [BENCH_PROFILE=<dir>] npm run bench -w @inventory/store-ingest-test -- [secondsPerCase]
// Starts the real app as its own process, drives it over HTTP at batch sizes 1, 100 and 1000
// with a fixed number of concurrent clients, and prints events/s and request latency.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashToken, waitFor } from '@inventory/core';
import { appEntry, cpuSecondsOf, metricIn, numberArgs, stackKafkaEnv } from '@inventory/testkit';
import autocannon from 'autocannon';

const [seconds] = numberArgs([15]);
const port = 19_191;
const token = 'bench-token';
const appDir = fileURLToPath(new URL('../..', import.meta.url));
// BENCH_BATCHES=1,100: only those cases (a profile of one of them).
const only = process.env.BENCH_BATCHES?.split(',').map(Number);
const cases = [
  { batch: 1, concurrency: 32 },
  { batch: 100, concurrency: 16 },
  { batch: 1000, concurrency: 4 },
].filter((c) => !only || only.includes(c.batch));

const dir = mkdtempSync(join(tmpdir(), 'ingest-bench-'));
writeFileSync(
  join(dir, 'tokens.json'),
  JSON.stringify({ clients: [{ clientId: 'bench', tokenSha256: hashToken(token), locationIds: ['*'] }] }),
);
// BENCH_PROFILE=<dir>: a V8 CPU profile of the app (scripts/cpu-profile-summary.mjs reads it).
const profile = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];
// INVENTORY_APP_BUILD=dist: the app's bundle (`npm run build`), as its image runs it.
const app = spawn(process.execPath, [...profile, ...appEntry(appDir)], {
  cwd: appDir,
  stdio: 'inherit',
  env: {
    PATH: process.env.PATH,
    ...stackKafkaEnv('INGEST'),
    INGEST_TOKENS_FILE: join(dir, 'tokens.json'),
    INGEST_HTTP_PORT: String(port),
    INGEST_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    INGEST_RATE_PER_SECOND: '1000000',
    INGEST_RATE_BURST: '1000000',
    INGEST_EVENTS_RATE_PER_SECOND: '1000000000',
    INGEST_EVENTS_RATE_BURST: '1000000000',
  },
});

let sequence = 0;
function body(batch: number): string {
  const occurredAt = new Date().toISOString();
  const events = Array.from({ length: batch }, () => {
    sequence++;
    return {
      eventId: `bench-${process.pid}-${sequence}`,
      type: 'SALE',
      sku: `BENCH-${sequence % 5000}`,
      locationId: `STORE-${String(1 + (sequence % 12)).padStart(3, '0')}`,
      quantity: 1,
      occurredAt,
    };
  });
  return JSON.stringify(batch === 1 ? events[0] : { events });
}

/** Produce requests the app sent so far and the events they carried, from its /metrics. */
async function produceRequests(): Promise<{ requests: number; events: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    requests: metricIn(text, 'ingest_events_per_produce_count'),
    events: metricIn(text, 'ingest_events_per_produce_sum'),
  };
}

/**
 * One case, driven by autocannon (HTTP/1.1 keep-alive, one request in flight per connection,
 * a fresh body per request): a driver far cheaper per request than fetch, so on two shared
 * cores the app, not the driver, is what is measured. Both CPU times are printed.
 */
async function runCase(batch: number, concurrency: number, duration = seconds) {
  const producesBefore = await produceRequests();
  const appCpu = cpuSecondsOf(app.pid as number);
  const driverCpu = process.cpuUsage();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/v1/events`,
    connections: concurrency,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [{ setupRequest: (request) => ({ ...request, body: body(batch) }) }],
  });
  const accepted = result['2xx'] * batch;
  const elapsed = result.duration;
  const driver = process.cpuUsage(driverCpu);
  const appCpuSeconds = cpuSecondsOf(app.pid as number) - appCpu;
  const produces = await produceRequests();
  return {
    batch,
    concurrency,
    seconds: Number(elapsed.toFixed(1)),
    eventsPerSecond: Math.round(accepted / elapsed),
    requestsPerSecond: Math.round(result.requests.total / elapsed),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    maxms: result.latency.max,
    failedRequests: result.non2xx + result.errors,
    eventsPerProduce: Number(
      (
        (produces.events - producesBefore.events) /
        Math.max(1, produces.requests - producesBefore.requests)
      ).toFixed(1),
    ),
    appCpuUsPerEvent: Number(((appCpuSeconds * 1e6) / Math.max(1, accepted)).toFixed(1)),
    driverCpuUsPerEvent: Number(((driver.user + driver.system) / Math.max(1, accepted)).toFixed(1)),
  };
}

try {
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, {
    description: 'store-ingest to be ready',
    timeoutMs: 60_000,
  });
  await runCase(100, 4, 3); // warm-up: JIT, connections, schema registration
  const results = [];
  for (const c of cases) {
    const result = await runCase(c.batch, c.concurrency);
    results.push(result);
    console.log(JSON.stringify(result));
  }
  console.log(
    `\nconditions: ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}, ${seconds} s per case,`,
  );
  console.log(
    'app, load driver and the whole local stack on the same machine; acks=all, idempotent producer\n',
  );
  console.log(
    '| batch | clients | events/s | requests/s | p50 ms | p99 ms | max ms | failed | events per produce | app CPU us/event | driver CPU us/event |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.batch} | ${r.concurrency} | ${r.eventsPerSecond} | ${r.requestsPerSecond} | ${r.p50ms} | ${r.p99ms} | ${r.maxms} | ${r.failedRequests} | ${r.eventsPerProduce} | ${r.appCpuUsPerEvent} | ${r.driverCpuUsPerEvent} |`,
    );
  }
} finally {
  app.kill('SIGTERM');
}
