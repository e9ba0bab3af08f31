#!/usr/bin/env node
// `npm run bench:e2e [-- --seconds 300 --only 1m,1.5m,max --processes 2 --source]`: the whole platform
// on this machine under the standard load profiles, each compared in full against its
// ground truth. Starts the stack and the apps unless they run already, runs the load
// generator for each profile (1 M events/min and 1.5 M events/min offered for --seconds
// each, then as fast as accepted), and writes every report plus a summary table to
// bench-report/<time>/. Stops what it started. The apps it starts run from their bundles
// (`npm run build` first), as their images run them; --source runs their TypeScript through
// tsx, as `npm start` does. --profile <dir> writes a CPU profile of every app it starts into
// that folder when the apps stop (scripts/cpu-sampling.mjs; read them with
// scripts/cpu-profile-summary.mjs): where each part's CPU per event goes under this load.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureInstalled, root, run, runTsx } from './bootstrap.mjs';
import { platformNode } from './node24.mjs';
import { cli, listApps, startApps } from './platform.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '300' },
    only: { type: 'string', default: '1m,1.5m,max' },
    processes: { type: 'string', default: '2' },
    source: { type: 'boolean', default: false },
    profile: { type: 'string' },
    senders: { type: 'string', default: '8' },
    batch: { type: 'string', default: '500' },
    // Long enough for a backlog to drain: the next profile must start on an idle platform.
    'drain-timeout-ms': { type: 'string', default: '1200000' },
  },
});
const seconds = Number(values.seconds);
const profiles = [
  { name: '1m', title: '1 M events/min offered', rate: 16_667 },
  { name: '1.5m', title: '1.5 M events/min offered', rate: 25_000 },
  { name: 'max', title: 'as fast as accepted', rate: 0 },
].filter((p) => values.only.split(',').includes(p.name));

ensureInstalled();
const quiet = { stdio: ['ignore', 'ignore', 'ignore'] };
const stackWasUp = runTsx(cli, ['status'], quiet) !== 4;
if (runTsx(cli, ['up']) !== 0) process.exit(1);
if (runTsx(cli, ['seed']) !== 0) process.exit(1);
const apps = listApps();
const ingest = apps.find((a) => a.name === 'store-ingest');
const running = await fetch(ingest.ready).then(
  (r) => r.ok,
  () => false,
);
let platform;
let starting;
const interrupted = new AbortController();
/** The load generator of the profile being run. */
let loader;
// The apps run in process groups of their own (detached), so an interrupted benchmark stops
// them, and the stack it started, itself.
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, async () => {
    console.error(`\n[bench] ${signal}: stopping what the benchmark started ...`);
    interrupted.abort();
    loader?.kill('SIGTERM');
    // Start-up stops what it started when interrupted.
    await starting?.catch(() => {});
    await platform?.stop();
    if (!stackWasUp) runTsx(cli, ['down']);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
if (running) console.log('[bench] the platform runs already (npm start): measuring it as it is');
else {
  if (!values.source) {
    if (run('npm', ['run', 'build']) !== 0) process.exit(1);
    // Read by the launcher (tools/local-stack/src/launch.ts) in every app's process.
    process.env.INVENTORY_APP_BUILD = 'dist';
  }
  console.log(`[bench] starting the apps (${values.source ? 'from source' : 'built'}) ...`);
  // The apps alone are profiled: the load generator runs as it always does.
  const env = { ...process.env };
  if (values.profile) {
    const profiled = resolve(values.profile);
    mkdirSync(profiled, { recursive: true });
    env.NODE_OPTIONS = [env.NODE_OPTIONS, `--import=${join(root, 'scripts', 'cpu-sampling.mjs')}`]
      .filter(Boolean)
      .join(' ');
    env.INVENTORY_CPU_PROFILE_DIR = profiled;
    console.log(`[bench] the apps write CPU profiles into ${profiled} when they stop`);
  }
  // On the images' Node, as `npm start` runs them.
  starting = startApps({ apps, node: platformNode(), signal: interrupted.signal, env });
  // Interrupted, the handler above ends the process.
  platform = await starting.catch((error) =>
    interrupted.signal.aborted ? new Promise(() => {}) : Promise.reject(error),
  );
}

const out = join(root, 'bench-report', new Date().toISOString().replace(/[:.]/g, '-'));
mkdirSync(out, { recursive: true });
const rows = [];
for (const profile of profiles) {
  const report = join(out, profile.name);
  // Enough events for the duration at the offered rate (as fast as accepted: 2 M/min).
  const events = Math.ceil(((profile.rate || 33_334) * seconds) / 1000) * 1000;
  console.log(`\n[bench] ${profile.title} for ${seconds} s ...`);
  loader = spawn(
    join(root, 'node_modules', '.bin', 'tsx'),
    [
      join(root, 'tools/loadgen/src/cli.ts'),
      '--profile',
      'large',
      '--events',
      String(events),
      '--rate',
      String(profile.rate),
      '--duration',
      String(seconds),
      '--processes',
      values.processes,
      '--senders',
      values.senders,
      '--batch',
      values.batch,
      '--drain-timeout-ms',
      values['drain-timeout-ms'],
      '--report',
      report,
    ],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const result = await new Promise((resolve) => loader.once('exit', (status) => resolve({ status })));
  // Interrupted: no summary of a cut run; the handler above ends the process.
  if (interrupted.signal.aborted) await new Promise(() => {});
  try {
    const r = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    rows.push({ profile, r, code: result.status });
  } catch {
    rows.push({ profile, r: undefined, code: result.status });
  }
}

/** How many of the once-a-second samples got the aggregator's answer, and its slowest. */
const answered = (readings) =>
  readings
    ? `${readings.read} of ${readings.samples} samples, slowest ${(readings.slowestMs / 1000).toFixed(1)} s, event loop held up to ${(readings.loopDelayMaxMs / 1000).toFixed(1)} s`
    : '-';
const perMinute = (perSecond) => `${((perSecond * 60) / 1e6).toFixed(2)} M/min`;
const lines = [
  `# End-to-end benchmark, ${new Date().toISOString()}`,
  '',
  `Everything on this machine (${(await import('node:os')).cpus().length} cores): stack, apps (${running ? 'as they ran already' : values.source ? 'from source' : 'built'}), load generator. ${seconds} s per profile, large profile, ${values.processes} sending threads x ${values.senders} clients, batches of ${values.batch}.`,
  '',
  '| profile | accepted/s | sustained | applied/s | freshness p50 / p99 / max (ms) | platform CPU per event | load generator CPU | drain | aggregator /metrics answered | result |',
  '| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | --- |',
];
for (const { profile, r, code } of rows) {
  if (!r) {
    lines.push(`| ${profile.title} | - | - | - | - | - | - | - | - | failed (exit ${code}) |`);
    continue;
  }
  lines.push(
    `| ${profile.title} | ${r.acceptedPerSecond} | ${perMinute(r.acceptedPerSecond)} | ${r.appliedPerSecond ?? '-'} | ${r.freshnessMs.p50} / ${r.freshnessMs.p99} / ${r.freshnessMs.max} | ${r.cpu?.platform.microsPerEvent ?? '-'} µs | ${r.cpu?.loadgen.cpuSeconds ?? '-'} s (${r.cpu?.loadgen.microsPerEvent ?? '-'} µs/event) | ${r.drainSeconds.toFixed(1)} s | ${answered(r.aggregatorReadings)} | ${r.exact ? `exact (${r.locationsCompared} location x sku)` : `${r.differences.length} differences`} |`,
  );
}
lines.push('', '## CPU per part (µs per event)', '');
const parts = [...new Set(rows.flatMap(({ r }) => r?.cpu?.parts.map((p) => p.part) ?? []))];
lines.push(`| part | ${rows.map(({ profile }) => profile.name).join(' | ')} |`);
lines.push(`| --- | ${rows.map(() => '---:').join(' | ')} |`);
for (const part of parts)
  lines.push(
    `| ${part} | ${rows.map(({ r }) => r?.cpu?.parts.find((p) => p.part === part)?.microsPerEvent ?? '-').join(' | ')} |`,
  );
writeFileSync(join(out, 'summary.md'), `${lines.join('\n')}\n`);
console.log(`\n${lines.join('\n')}\n\n[bench] reports in ${out}`);

if (platform) {
  const failed = await platform.stop();
  for (const f of failed) console.error(`[bench] ${f.app} exited with ${f.code ?? f.signal}`);
}
if (!stackWasUp) runTsx(cli, ['down']);
process.exit(rows.every((row) => row.code === 0) ? 0 : 1);
