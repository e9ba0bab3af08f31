// Rows/s the lake sink writes into S3 (the stack's S3Proxy) and into a local folder, from the
// same topic in the same run, and the size per million events:
//   npm run bench -w @inventory/lake-sink-test -- [events] [roll records]
// Defaults: 1 000 000 canonical events (Avro) over a day, cut every 100 000 records per
// partition. The local stack must be up (`npm run stack -- up`).
// BENCH_SPAN_MS=3600000: the events' times spread over that span instead of a day (one or two
// hourly folders, as live traffic fills them). BENCH_PROFILE=<dir>: a CPU profile of each sink.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@inventory/core';
import { openLakeStore, parseLakeLocation } from '@inventory/lake-sink';
import { cpuSecondsOf, numberArgs, secondsToCount, uniqueName } from '@inventory/testkit';
import { createLakeWorld, dayEvent, type LakeWorld, produceEvents, startSink } from '../support.ts';

const [total, roll] = numberArgs([1_000_000, 100_000]);
const world = await createLakeWorld({}, { events: 12, raw: 1 });
const t0 = Date.parse('2026-11-21T00:00:00Z');
const span = Number(process.env.BENCH_SPAN_MS ?? 86_400_000);
const profile = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];

console.log(`producing ${total} events to ${world.events} ...`);
const chunk = 20_000;
for (let from = 0; from < total; from += chunk) {
  const events = Array.from({ length: Math.min(chunk, total - from) }, (_, k) =>
    dayEvent(from + k, total, t0, span),
  );
  await produceEvents(world.events, events);
}

/** One sink (its own group) over the whole topic into `location`; rows/s from its first file to the last. */
async function measure(target: string, world: LakeWorld, location: Record<string, string>) {
  const sink = startSink(
    world,
    {
      ...location,
      LAKE_GROUP_ID: uniqueName(`lake-bench-${target}`),
      LAKE_ROLL_RECORDS: String(roll),
      LAKE_ROLL_MS: '2000',
    },
    profile,
  );
  const cpuBefore = cpuSecondsOf(sink.child.pid as number);
  const rows = 'lake_rows_written_total';
  const seconds = await secondsToCount(sink, { started: rows, done: rows }, total, 'rows in the lake');
  const cpu = cpuSecondsOf(sink.child.pid as number) - cpuBefore;
  sink.child.kill('SIGTERM');
  await sink.exited;
  const store = openLakeStore(
    parseLakeLocation({ ...world.env, ...location }),
    createLogger('bench', 'warn'),
  );
  const objects = await store.list(`topic=${world.events}/`);
  await store.close();
  const bytes = objects.reduce((sum, o) => sum + o.size, 0);
  return {
    target,
    events: total,
    rollRecords: roll,
    seconds: Number(seconds.toFixed(1)),
    rowsPerSecond: Math.round(total / seconds),
    files: objects.length,
    megabytes: Number((bytes / 1e6).toFixed(1)),
    bytesPerEvent: Number((bytes / total).toFixed(1)),
    cpuUsPerEvent: Number(((cpu * 1e6) / total).toFixed(1)),
  };
}

const results = [
  await measure('file', world, {
    LAKE_TARGET: 'file',
    LAKE_ROOT: mkdtempSync(join(tmpdir(), 'lake-bench-')),
  }),
  await measure('s3', world, {}),
];
for (const result of results) console.log(JSON.stringify(result));
process.exit(0);
