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
import { numberArgs, stackKafkaEnv } from '@inventory/testkit';
import * as hdr from 'hdr-histogram-js';

const [seconds] = numberArgs([15]);
const port = 19_191;
const token = 'bench-token';
const appDir = fileURLToPath(new URL('../..', import.meta.url));
const cases = [
  { batch: 1, concurrency: 32 },
  { batch: 100, concurrency: 16 },
  { batch: 1000, concurrency: 4 },
];

const dir = mkdtempSync(join(tmpdir(), 'ingest-bench-'));
writeFileSync(
  join(dir, 'tokens.json'),
  JSON.stringify({ clients: [{ clientId: 'bench', tokenSha256: hashToken(token), locationIds: ['*'] }] }),
);
// BENCH_PROFILE=<dir>: a V8 CPU profile of the app (scripts/cpu-profile-summary.mjs reads it).
const profile = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];
const app = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/main.ts'], {
  cwd: appDir,
  stdio: 'inherit',
  env: {
    PATH: process.env.PATH,
    ...stackKafkaEnv('INGEST'),
    INGEST_TOKENS_FILE: join(dir, 'tokens.json'),
    INGEST_HTTP_PORT: String(port),
    INGEST_LOG_LEVEL: 'warn',
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

async function runCase(batch: number, concurrency: number) {
  const latency = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let accepted = 0;
  let failed = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  const client = async () => {
    while (Date.now() < deadline) {
      const payload = body(batch);
      const t0 = process.hrtime.bigint();
      const response = await fetch(`http://127.0.0.1:${port}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: payload,
      });
      await response.arrayBuffer();
      latency.recordValue(Number((process.hrtime.bigint() - t0) / 1000n));
      if (response.status === 202) accepted += batch;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = (Date.now() - started) / 1000;
  return {
    batch,
    concurrency,
    seconds: Number(elapsed.toFixed(1)),
    eventsPerSecond: Math.round(accepted / elapsed),
    requestsPerSecond: Math.round(latency.totalCount / elapsed),
    p50ms: latency.getValueAtPercentile(50) / 1000,
    p99ms: latency.getValueAtPercentile(99) / 1000,
    maxms: latency.maxValue / 1000,
    failedRequests: failed,
  };
}

try {
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, {
    description: 'store-ingest to be ready',
    timeoutMs: 60_000,
  });
  await runCase(100, 4); // warm-up: JIT, connections, schema registration
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
  console.log('| batch | clients | events/s | requests/s | p50 ms | p99 ms | max ms | failed |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.batch} | ${r.concurrency} | ${r.eventsPerSecond} | ${r.requestsPerSecond} | ${r.p50ms} | ${r.p99ms} | ${r.maxms} | ${r.failedRequests} |`,
    );
  }
} finally {
  app.kill('SIGTERM');
}
